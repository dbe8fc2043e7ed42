import { describe, expect, it } from 'vitest';
import { fitPrior, historyTest, signTest } from '../../../src/core/cases/regression.js';

/** `n` cases with the same record on main, failing now or not. */
const cases = (n: number, failedIn: number, of: number, failingNow: boolean) =>
  Array.from({ length: n }, () => ({ failedIn, of, failingNow }));

describe('the exact one-sided sign test', () => {
  it('is P(X ≥ b), X ~ Binomial(b + c, 1/2)', () => {
    expect(signTest(6, 0)).toBeCloseTo(1 / 64, 12);
    expect(signTest(2, 1)).toBeCloseTo(0.5, 12);
    expect(signTest(5, 1)).toBeCloseTo(7 / 64, 12);
    expect(signTest(10, 2)).toBeCloseTo(79 / 4096, 12);
    expect(signTest(0, 3)).toBe(1);
    expect(signTest(0, 0)).toBe(1);
  });
});

describe("the history test on main's record", () => {
  it('shrinks each case toward the suite: 0 of 10 is small but not zero, 5 of 10 stays flaky', () => {
    const suite = [...cases(45, 0, 10, false), ...cases(5, 5, 10, false)];
    const { rates } = historyTest(suite);
    expect(rates[0]).toBeGreaterThan(0);
    expect(rates[0]).toBeLessThan(0.03);
    expect(rates[49]).toBeGreaterThan(0.35);
    expect(rates[49]).toBeLessThan(0.55);
  });

  it('pools a suite with no spread beyond chance, and a history that never failed is not certain', () => {
    const prior = fitPrior(cases(50, 0, 10, false));
    expect(prior.a).toBeGreaterThan(0);
    expect(prior.a + prior.b).toBeLessThanOrEqual(50);
  });

  it('three cases failing that main never failed in 10 verdicts is a regression; the flaky ones failing is not', () => {
    const solid = cases(45, 0, 10, false);
    const flaky = cases(5, 5, 10, true);
    // Only main's flaky cases fail: what main does itself.
    expect(historyTest([...solid, ...flaky]).p).toBeGreaterThan(0.2);
    // Three solid ones fail, the flaky ones pass.
    const broke = [...cases(3, 0, 10, true), ...cases(42, 0, 10, false), ...cases(5, 5, 10, false)];
    const { p, statistic } = historyTest(broke);
    expect(p).toBeLessThan(0.01);
    expect(statistic).toBeGreaterThan(9);
  });

  it('p is P(T ≥ t) under main\u2019s rates: one case of two, each 1 of 2', () => {
    // Two cases with the same record share q̂; one failing: P(at least one fails) = 1 − (1 − q̂)².
    const { p, rates } = historyTest([
      { failedIn: 1, of: 2, failingNow: true },
      { failedIn: 1, of: 2, failingNow: false },
    ]);
    const q = rates[0] as number;
    expect(p).toBeCloseTo(1 - (1 - q) ** 2, 9);
  });

  it('no case failing: p = 1', () => {
    expect(historyTest(cases(20, 1, 10, false)).p).toBe(1);
  });

  it('the same inputs give the same p', () => {
    const suite = [...cases(30, 0, 10, false), ...cases(2, 0, 10, true), ...cases(8, 3, 9, true)];
    const first = historyTest(suite);
    for (let i = 0; i < 3; i++) expect(historyTest(suite)).toEqual(first);
  });

  it('a suite of 2,000 cases is judged in bounded time', () => {
    const big = [
      ...cases(1900, 0, 10, false),
      ...cases(60, 0, 10, true),
      ...cases(40, 4, 10, true),
    ];
    const started = Date.now();
    const { p } = historyTest(big);
    expect(p).toBeLessThan(0.001);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

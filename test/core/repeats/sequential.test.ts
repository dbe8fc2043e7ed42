import { describe, expect, it } from 'vitest';
import { detectability, poolFigures, pooledInterval } from '../../../src/core/repeats/pool.js';
import { sequentialData, sequentialTest } from '../../../src/core/repeats/sequential.js';
import { SEPURUX_FIGURES } from '../../../src/core/backends/sepurux/vocabulary.js';

const question = {
  input: 'min_pass_rate',
  comparator: '>=' as const,
  limit: 0.85,
  margin: 0.05,
  alpha: 0.05,
  beta: 0.05,
};

describe('sequentialTest', () => {
  it("Wald's test on counts: 95 of 100 holds, 80 of 100 breaks, 87 of 100 is undecided", () => {
    expect(sequentialTest(question, { count: { passes: 95, trials: 100 } }).call).toBe('holds');
    expect(sequentialTest(question, { count: { passes: 80, trials: 100 } }).call).toBe('breaks');
    expect(sequentialTest(question, { count: { passes: 87, trials: 100 } }).call).toBe('undecided');
  });

  it('has the bounds ln((1−β)/α) and ln(β/(1−α))', () => {
    const state = sequentialTest(question, { values: [0.9] });
    expect(state.upper).toBeCloseTo(Math.log(0.95 / 0.05), 4);
    expect(state.lower).toBeCloseTo(Math.log(0.05 / 0.95), 4);
  });

  it('on values, pools their spread with a prior one: two equal values at "good" do not claim certainty, two well past it do', () => {
    // Variance (3 · 2 · 0.05² + 0) / 4 = 0.00375: two values at 0.90 add 2.67 < ln 19 ≈ 2.94.
    expect(sequentialTest(question, { values: [0.9, 0.9] }).call).toBe('undecided');
    expect(sequentialTest(question, { values: [0.95, 0.95] }).call).toBe('holds');
    expect(sequentialTest(question, { values: [0.78, 0.78] }).call).toBe('breaks');
    expect(sequentialTest(question, { values: [0.85, 0.85, 0.85, 0.85] }).call).toBe('undecided');
  });

  it('one value may call "breaks" (a fail, the closed side) but never "holds": a pass needs a spread', () => {
    // One value is weighed with the prior's variance, 2 · 0.05²: "breaks" at 0.70 or below.
    expect(sequentialTest(question, { values: [0.7] }).call).toBe('breaks');
    expect(sequentialTest(question, { values: [0.5] }).call).toBe('breaks');
    expect(sequentialTest(question, { values: [0.75] }).call).toBe('undecided');
    expect(sequentialTest(question, { values: [0.8] }).call).toBe('undecided');
    // Far above, yet one value never passes.
    const one = sequentialTest(question, { values: [1] });
    expect(one.llr).toBeGreaterThan(one.upper);
    expect(one.call).toBe('undecided');
  });

  it('on values with weights, weighs them as the pooled figure does: four tiny repeats at 0.95 do not outvote one large one at 0.70', () => {
    const values = [0.95, 0.95, 0.95, 0.95, 0.7];
    const at = { ...question, limit: 0.8 };
    expect(sequentialTest(at, { values }).call).toBe('holds');
    const weighted = sequentialTest(at, { values, weights: [3, 3, 3, 3, 1001] });
    expect(weighted.call).toBe('breaks');
    // Equal weights are the unweighted test.
    expect(sequentialTest(at, { values, weights: [7, 7, 7, 7, 7] }).llr).toBe(
      sequentialTest(at, { values }).llr,
    );
  });

  it('turns for a bound the figure must stay under', () => {
    const under = { ...question, comparator: '<=' as const, limit: 0.1 };
    expect(sequentialTest(under, { values: [0.02, 0.03] }).call).toBe('holds');
    expect(sequentialTest(under, { values: [0.2, 0.18] }).call).toBe('breaks');
  });
});

describe('poolFigures', () => {
  it('sums counts, pools rates by their passes where known, and averages the rest', () => {
    const pooled = poolFigures(
      [
        { pass_rate: 0.9, trace_count: 20, failures: 2, reliability_score: 90 },
        { pass_rate: 0.8, trace_count: 20, failures: 4, reliability_score: 80 },
      ],
      SEPURUX_FIGURES,
    );
    expect(pooled.figures).toEqual({
      pass_rate: 0.85,
      trace_count: 40,
      failures: 6,
      reliability_score: 85,
    });
    expect(pooled.counts.pass_rate).toEqual({ passes: 34, trials: 40 });
    expect(pooledInterval(pooled, 'pass_rate', 0.95)?.method).toBe(
      'Wilson score interval (n = 40)',
    );
    expect(pooledInterval(pooled, 'reliability_score', 0.95)?.method).toBe('t interval (n = 2)');
  });

  it('keeps the weights of a rate pooled as a weighted mean, for the sequential test', () => {
    const pooled = poolFigures(
      [
        { pass_rate: 0.95, trace_count: 3 },
        { pass_rate: 0.7, trace_count: 1001 },
      ],
      SEPURUX_FIGURES,
    );
    expect(pooled.counts).toEqual({});
    expect(pooled.weights.pass_rate).toEqual([3, 1001]);
    expect(pooled.figures.pass_rate).toBeCloseTo(0.70075, 5);
  });

  it('has no count where a rate is not a whole number of passes (one trace, attempts unknown)', () => {
    const pooled = poolFigures(
      [
        { pass_rate: 0.85, trace_count: 1 },
        { pass_rate: 0.95, trace_count: 1 },
      ],
      SEPURUX_FIGURES,
    );
    expect(pooled.counts).toEqual({});
    expect(pooled.figures.pass_rate).toBe(0.9);
    expect(pooledInterval(pooled, 'pass_rate', 0.95)?.method).toBe('t interval (n = 2)');
  });

  it('leaves out a figure one repeat did not return, so a threshold on it fails closed', () => {
    expect(poolFigures([{ pass_rate: 0.9 }, {}], SEPURUX_FIGURES).figures).toEqual({});
  });
});

describe('detectability', () => {
  it('says the smallest shortfall the sample sees, and the repeats an observed one would need', () => {
    const pooled = poolFigures(
      [0.8, 0.85, 0.9, 0.75, 0.8].map((pass_rate) => ({ pass_rate, trace_count: 1 })),
      SEPURUX_FIGURES,
    );
    const seen = detectability(pooled, 'pass_rate', 0.95, 0.03, 5)!;
    // t(0.975, 4) · s/√5 with s ≈ 0.0570.
    expect(seen.shortfall).toBeCloseTo(2.776445 * (0.0570088 / Math.sqrt(5)), 4);
    expect(seen.repeatsNeeded).toBeGreaterThan(5);
  });
});

describe('sequentialData: what the sequential test weighs', () => {
  const domain = SEPURUX_FIGURES.find((f) => f.name === 'pass_rate')!.domain;
  const runs = (...rates: [number, number][]) =>
    poolFigures(
      rates.map(([pass_rate, trace_count]) => ({ pass_rate, trace_count })),
      SEPURUX_FIGURES,
    );
  const call = (pooled: ReturnType<typeof poolFigures>) =>
    sequentialTest(question, sequentialData(pooled, 'pass_rate', domain)!).call;

  it('runs at 1.0 of one trace are not one pass of one trial each: the values decide, and two say "holds" (Wald on 2 of 2 never could within 5)', () => {
    const two = runs([1, 1], [1, 1]);
    expect(two.counts.pass_rate).toEqual({ passes: 2, trials: 2 });
    expect(sequentialData(two, 'pass_rate', domain)).toEqual({ values: [1, 1], weights: [1, 1] });
    expect(call(runs([1, 1]))).toBe('undecided');
    expect(call(two)).toBe('holds');
    // What the counts would have said: five passes of five trials is still undecided.
    expect(sequentialTest(question, { count: { passes: 5, trials: 5 } }).call).toBe('undecided');
  });

  it('runs at 0.0 are weighed as values too: one says "breaks" (a fail needs no spread)', () => {
    expect(sequentialData(runs([0, 1]), 'pass_rate', domain)).toEqual({
      values: [0],
      weights: [1],
    });
    expect(call(runs([0, 1]))).toBe('breaks');
  });

  it('a rate strictly inside 0..1 that is a whole number of passes is a count: Wald on the pooled passes', () => {
    const pooled = runs([0.95, 20], [1, 20]);
    expect(sequentialData(pooled, 'pass_rate', domain)).toEqual({
      count: { passes: 39, trials: 40 },
    });
    expect(call(pooled)).toBe('holds');
    expect(call(runs([0.7, 20]))).toBe('undecided');
    expect(call(runs([0.7, 20], [0.75, 20]))).toBe('breaks');
    expect(call(runs([0.5, 20]))).toBe('breaks');
  });

  it('weighs edge values by their trials: one run at 1.0 of 3 traces does not carry one at 0.0 of 1001', () => {
    const pooled = runs([1, 3], [0, 1001]);
    expect(sequentialData(pooled, 'pass_rate', domain)).toEqual({
      values: [1, 0],
      weights: [3, 1001],
    });
    expect(call(pooled)).not.toBe('holds');
  });

  it('never calls "holds" for a threshold the pooled figure misses, nor "breaks" for one it meets', () => {
    for (const rates of [
      [
        [0.84, 1],
        [0.8, 1],
      ],
      [
        [1, 1],
        [0.8, 1],
        [0.8, 1],
      ],
      [
        [0.86, 1],
        [0.9, 1],
      ],
      [
        [1, 1],
        [0.5, 1],
      ],
    ] as [number, number][][]) {
      const pooled = runs(...rates);
      const state = sequentialTest(question, sequentialData(pooled, 'pass_rate', domain)!);
      if (pooled.figures.pass_rate! < 0.85)
        expect(state.call, JSON.stringify(rates)).not.toBe('holds');
      else expect(state.call, JSON.stringify(rates)).not.toBe('breaks');
    }
  });
});

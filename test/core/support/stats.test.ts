import { describe, expect, it } from 'vitest';
import {
  itemsNeeded,
  judgeAtLeast,
  meanInterval,
  normalQuantile,
  tQuantile,
  wilsonInterval,
} from '../../../src/core/support/stats.js';

describe('quantiles, against published tables', () => {
  it.each([
    [0.975, 1.959964],
    [0.8, 0.841621],
    [0.995, 2.575829],
    [0.01, -2.326348],
  ])('normal %f', (p, z) => expect(normalQuantile(p)).toBeCloseTo(z, 5));

  it.each([
    [0.975, 1, 12.7062],
    [0.975, 2, 4.3027],
    [0.975, 4, 2.7764],
    [0.975, 10, 2.2281],
    [0.975, 30, 2.0423],
    [0.95, 5, 2.015],
    [0.995, 20, 2.8453],
    // Where repeats live: few degrees of freedom at corrected levels (scipy.stats.t.ppf).
    [0.995, 3, 5.840909309733],
    [0.999, 3, 10.214531852407],
    [0.9975, 4, 5.597568],
  ])('t %f with %i degrees of freedom', (p, df, t) =>
    expect(Math.abs(tQuantile(p, df) - t) / t).toBeLessThan(5e-5),
  );
});

describe('intervals', () => {
  it('t interval of a mean', () => {
    const interval = meanInterval([1, 2, 3, 4, 5], 0.95)!;
    // mean 3, sd 1.5811, t(0.975, 4) 2.7764: half-width 1.9632.
    expect(interval.estimate).toBe(3);
    expect(interval.low).toBeCloseTo(1.0368, 2);
    expect(interval.high).toBeCloseTo(4.9632, 2);
    expect(meanInterval([1], 0.95)).toBeUndefined();
  });

  it('Wilson interval behaves at 0 and at small n', () => {
    const zero = wilsonInterval(0, 10, 0.95)!;
    expect(zero.low).toBeCloseTo(0, 10);
    expect(zero.high).toBeCloseTo(0.2775, 3);
    const half = wilsonInterval(5, 10, 0.95)!;
    expect(half.low).toBeCloseTo(0.2366, 3);
    expect(half.high).toBeCloseTo(0.7634, 3);
  });

  it('judges a bound three ways and says how many items a difference needs', () => {
    const at = (low: number, high: number) =>
      judgeAtLeast(
        { estimate: (low + high) / 2, low, high, confidence: 0.95, n: 10, method: '' },
        0,
      );
    expect([at(0.1, 0.3), at(-0.3, -0.1), at(-0.1, 0.1)]).toEqual([
      'holds',
      'breaks',
      'inconclusive',
    ]);
    // ((1.96 + 0.8416) · 0.2 / 0.05)² = 125.6
    expect(itemsNeeded(0.2, 0.05, 0.95)).toBe(126);
    expect(itemsNeeded(0, 0.05, 0.95)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { errorBars } from '../../../../src/core/backends/trulayer/error-bars.js';
import { intervalOf } from '../../../../src/core/support/stats.js';

const item = (i: number, run: number | null, baseline: number | null, delta: number) => ({
  trace_id: `t${i}`,
  run_score: run,
  baseline_score: baseline,
  delta,
});

describe('TruLayer error bars', () => {
  it('leaves an item either run did not score out of the mean delta, never a zero', () => {
    const scored = [0.8, 0.82, 0.78, 0.81].map((score, i) => item(i, score, score - 0.01, 0.01));
    const diff = {
      run_id: 'r',
      baseline_id: 'b',
      summary: { mean_delta: 0, improved_count: 4, regressed_count: 1, unchanged_count: 0 },
      // An unscored item whose delta says "fell by its whole baseline score".
      items: [...scored, item(9, null, 0.9, -0.9)],
    };
    const bars = errorBars(diff, 0.95);
    expect(intervalOf(bars, 'mean_delta')?.estimate).toBeCloseTo(0.01, 10);
    expect(intervalOf(bars, 'mean_score')?.estimate).toBeCloseTo(0.8025, 10);
    expect(bars.regressed).toEqual([]);
  });

  const diffOf = (items: ReturnType<typeof item>[]) => ({
    run_id: 'r',
    baseline_id: 'b',
    summary: { mean_delta: 0, improved_count: 0, regressed_count: 0, unchanged_count: 0 },
    items,
  });
  const scored = [0.8, 0.82, 0.78, 0.81].map((score, i) => item(i, score, score - 0.01, 0.01));

  it('leaves out an item whose run score is absent (the description makes it optional), never a zero', () => {
    const absent = { trace_id: 't9', baseline_score: 0.9, delta: -0.9 };
    const bars = errorBars(diffOf([...scored, absent as ReturnType<typeof item>]), 0.95);
    expect(intervalOf(bars, 'mean_delta')?.estimate).toBeCloseTo(0.01, 10);
    expect(intervalOf(bars, 'mean_delta')?.n).toBe(4);
    expect(bars.regressed).toEqual([]);
  });

  it('leaves out the items the export left unscored, whatever score the diff gives them', () => {
    // A diff that scores the export's unscored item 0: a zero in the mean, were it counted.
    const zeroed = item(9, 0, 0.9, -0.9);
    const bars = errorBars(
      diffOf([...scored, { ...zeroed, trace_id: 'T9' }]),
      0.95,
      new Set(['t9']),
    );
    expect(intervalOf(bars, 'mean_score')?.estimate).toBeCloseTo(0.8025, 10);
    expect(intervalOf(bars, 'mean_score')?.n).toBe(4);
    expect(intervalOf(bars, 'mean_delta')?.estimate).toBeCloseTo(0.01, 10);
    expect(bars.regressed).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { applyBaseline } from '../../../src/core/baseline/compare.js';
import { decodeRecord, encodeRecord } from '../../../src/core/baseline/encode.js';
import type { Verdict } from '../../../src/core/verdict/verdict.js';

/** A pooled Sepurux verdict of repeats with these pass rates. */
function repeated(rates: number[]): Verdict {
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    decision: 'pass',
    reason: 'pooled',
    outcome: 'evaluated',
    backend: 'Sepurux',
    ids: { run_id: 'r1' },
    figures: { pass_rate: Number(mean.toFixed(6)) },
    thresholds: [],
    topFailingTools: [],
    durationMs: 1,
    repeats: {
      mode: 'fixed',
      run: rates.length,
      passed: rates.length,
      rows: rates.map((pass_rate, i) => ({
        index: i + 1,
        decision: 'pass',
        outcome: 'evaluated',
        reason: '',
        figures: { pass_rate },
        failingTools: [],
      })),
      intervals: {},
      stopped: 'all ran',
      detectable: [],
      flakyTools: [],
      steadyTools: [],
    },
  };
}

const SHA = 'b'.repeat(40);
const recordOf = (verdict: Verdict) => {
  const record = decodeRecord(encodeRecord(verdict, 'Gate', SHA));
  if (typeof record === 'string') throw new Error(record);
  return record;
};
const policy = {
  drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate', limit: 0.05 }],
  onMissing: 'warn' as const,
};

describe('a baseline when both sides ran repeats', () => {
  it("keeps each figure's spread in the record", () => {
    expect(recordOf(repeated([0.9, 0.95, 0.85])).spread?.pass_rate).toMatchObject({
      n: 3,
      mean: 0.9,
    });
  });

  it('judges a drop on the interval of the difference, not on two point values', () => {
    const base = recordOf(repeated([0.95, 0.85, 0.95, 0.85]));
    // The point drop, 0.9 − 0.83 = 0.07, is over 0.05; with this much noise the difference is not clear.
    const noisy = applyBaseline(repeated([0.9, 0.75, 0.9, 0.77]), base, undefined, policy);
    const drop = noisy.thresholds.find((t) => t.input === 'max_pass_rate_drop');
    expect(drop?.interval?.method).toBe(
      'Welch t interval of the difference (4 base and 4 current repeats)',
    );
    expect(drop?.inconclusive).toBe(true);
    expect(noisy.decision).toBe('fail');
    expect(
      applyBaseline(repeated([0.9, 0.75, 0.9, 0.77]), base, undefined, {
        ...policy,
        onInconclusive: 'warn',
      }).decision,
    ).toBe('warn');
    // A steady, large drop breaks however it is judged.
    const clear = applyBaseline(
      repeated([0.6, 0.61, 0.6, 0.59]),
      recordOf(repeated([0.9, 0.91, 0.9, 0.89])),
      undefined,
      policy,
    );
    expect(clear.thresholds.find((t) => t.input === 'max_pass_rate_drop')).toMatchObject({
      holds: false,
    });
    expect(
      clear.thresholds.find((t) => t.input === 'max_pass_rate_drop')?.inconclusive,
    ).toBeUndefined();
  });

  it('reads a record written before repeats existed, and judges it on point values', () => {
    const old = recordOf({ ...repeated([0.9]), repeats: undefined });
    expect(old.spread).toBeUndefined();
    const judged = applyBaseline(repeated([0.8, 0.82]), old, undefined, policy);
    expect(
      judged.thresholds.find((t) => t.input === 'max_pass_rate_drop')?.interval,
    ).toBeUndefined();
  });
});

describe('comparable or not', () => {
  const single = (campaign: string | undefined, passRate: number): Verdict => ({
    ...(campaign ? { evaluated: { campaign } } : {}),
    decision: 'pass',
    reason: 'Sepurux decided pass.',
    outcome: 'evaluated',
    backend: 'Sepurux',
    ids: { run_id: 'r1' },
    figures: { pass_rate: passRate },
    thresholds: [],
    topFailingTools: [],
    durationMs: 1,
  });

  it('the record names what was evaluated, the thresholds it was judged by, and how many repeats', () => {
    const judged = {
      ...single('camp-a', 0.9),
      thresholds: [
        {
          input: 'min_pass_rate',
          figure: 'pass_rate',
          label: 'Pass rate',
          comparator: '>=' as const,
          limit: 0.85,
          actual: 0.9,
          holds: true,
          breaks: 'fail' as const,
        },
      ],
    };
    expect(recordOf(judged)).toMatchObject({
      evaluated: { campaign: 'camp-a' },
      thresholds: { min_pass_rate: 0.85 },
      repeats: 1,
    });
  });

  it('a base verdict of another campaign is not compared: never a regression, on_missing_baseline decides, and the reason says why', () => {
    const judged = applyBaseline(
      single('camp-b', 0.5),
      recordOf(single('camp-a', 0.95)),
      undefined,
      { ...policy, onMissing: 'warn' },
    );
    expect(judged.baseline).toMatchObject({
      notComparable: true,
      deltas: {},
      missing: `the base verdict (${SHA.slice(0, 12)}) is of another campaign (camp-a there, camp-b here): not comparable`,
    });
    expect(judged.decision).toBe('warn');
    expect(judged.reason).toContain('not comparable');
    // The same campaign: a 45-point drop fails.
    expect(
      applyBaseline(single('camp-a', 0.5), recordOf(single('camp-a', 0.95)), undefined, policy)
        .decision,
    ).toBe('fail');
  });

  it('a record written before records named what they evaluated is compared, as it always was', () => {
    const old = recordOf(single(undefined, 0.95));
    expect(old.evaluated).toBeUndefined();
    expect(applyBaseline(single('camp-a', 0.5), old, undefined, policy).decision).toBe('fail');
  });

  it('a record of another backend is not comparable', () => {
    const trulayer = { ...recordOf(single(undefined, 0.95)), backend: 'TruLayer' };
    expect(
      applyBaseline(single('camp-a', 0.5), trulayer, undefined, policy).baseline,
    ).toMatchObject({
      notComparable: true,
      missing: expect.stringContaining('is of TruLayer, not Sepurux: not comparable'),
    });
  });
});

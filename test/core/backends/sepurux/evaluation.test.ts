import { describe, expect, it } from 'vitest';
import { toEvaluation } from '../../../../src/core/backends/sepurux/evaluation.js';
import { sepurux } from '../../../../src/core/backends/sepurux/index.js';
import { renderVerdict } from '../../../../src/core/render/markdown.js';
import { decide } from '../../../../src/core/verdict/verdict.js';
import { render } from '../../../support/render.js';
import { intervalOf } from '../../../../src/core/support/stats.js';

const answer = (over: Record<string, unknown>) =>
  ({
    batch_id: 'b',
    status: 'done',
    decision: 'pass',
    unsafe_attempts: 0,
    failures: 0,
    ...over,
  }) as Parameters<typeof toEvaluation>[0];

describe('the pass rate with its error bar', () => {
  it('is a Wilson interval when the count behind it is known, named in the summary', () => {
    const evaluation = toEvaluation(
      answer({ pass_rate: 0.8, trace_count: 20 }),
      { batch_id: 'b' },
      [],
      20,
    );
    const interval = intervalOf(evaluation.errorBars, 'pass_rate');
    expect(interval).toMatchObject({
      estimate: 0.8,
      n: 20,
      method: 'Wilson score interval (n = 20)',
    });
    expect(interval!.low).toBeCloseTo(0.584, 3);
    expect(interval!.high).toBeCloseTo(0.919, 3);
    const text = render(
      renderVerdict(decide(sepurux, evaluation, 1), {
        title: 'Gate',
        mode: 'hard',
        maxTools: 5,
        maxChars: 10_000,
      }),
    ).text;
    expect(text).toContain('pass rate 0.8 [0.584, 0.9193] (95% Wilson score interval (n = 20))');
  });

  it('has none without a count: one trace, or a rate that is no whole number of passes', () => {
    expect(
      toEvaluation(answer({ run_id: 'r', pass_rate: 1, trace_count: 1 }), {}, []).errorBars,
    ).toBeUndefined();
    expect(
      toEvaluation(answer({ pass_rate: 0.91, trace_count: 3 }), { batch_id: 'b' }, [], 3).errorBars,
    ).toBeUndefined();
  });

  it('with confidence, judges min_pass_rate on that interval, three ways, at the level asked', () => {
    const threshold = {
      input: 'min_pass_rate',
      figure: 'pass_rate',
      comparator: '>=' as const,
      limit: 0.75,
      breaks: 'fail' as const,
    };
    const judged = (rate: number, onInconclusive: 'warn' | 'fail' = 'fail') =>
      decide(
        sepurux,
        toEvaluation(
          answer({ pass_rate: rate, trace_count: 20 }),
          { batch_id: 'b' },
          [threshold],
          20,
          { confidence: 0.9, onInconclusive },
        ),
        1,
      );
    // 16 of 20 passes: 0.8 is over 0.75, but its 90% Wilson interval [0.63, 0.9] straddles it.
    const straddles = judged(0.8);
    expect(straddles.thresholds[0]).toMatchObject({
      inconclusive: true,
      holds: false,
      interval: { confidence: 0.9, method: 'Wilson score interval (n = 20)' },
    });
    expect(straddles.decision).toBe('fail');
    expect(judged(0.8, 'warn').decision).toBe('warn');
    expect(judged(1).thresholds[0]?.holds).toBe(true);
    // Without a count there is no interval: the point value decides.
    const uncounted = decide(
      sepurux,
      toEvaluation(
        answer({ run_id: 'r', pass_rate: 0.8, trace_count: 1 }),
        {},
        [threshold],
        undefined,
        { confidence: 0.9, onInconclusive: 'fail' },
      ),
      1,
    );
    expect(uncounted.thresholds[0]?.holds).toBe(true);
    expect(uncounted.thresholds[0]?.interval).toBeUndefined();
  });
});

describe('a batch read as the seed defines it', () => {
  const coverage = [
    {
      input: 'min_coverage',
      figure: 'scenario_coverage_pct',
      comparator: '>=' as const,
      limit: 60,
      breaks: 'fail' as const,
    },
  ];

  it('fails closed on a pass beside failures: a batch passes only when every scenario run passed', () => {
    const said = toEvaluation(
      answer({ pass_rate: 0.6667, failures: 1, trace_count: 3, scenario_coverage_pct: 100 }),
      { batch_id: 'b' },
      [],
      3,
    );
    expect(said.decision).toBe('fail');
    expect(said.reason).toBe(
      'the batch says pass, yet reports 1 failure; a batch passes only when every scenario run passed, so the gate fails closed',
    );
    // The seed's own example: a pass rate under 1 with no failure is a pass.
    const seed = toEvaluation(
      answer({ pass_rate: 0.91, trace_count: 3, scenario_coverage_pct: 100 }),
      { batch_id: 'b' },
      [],
      3,
    );
    expect(seed.decision).toBe('pass');
  });

  it('could not evaluate a batch under min_coverage, however well it scored; at the floor it did', () => {
    const short = toEvaluation(
      answer({ pass_rate: 1, trace_count: 5, scenario_coverage_pct: 20 }),
      { batch_id: 'b' },
      coverage,
      5,
    );
    expect(short.unevaluated).toBe(
      "the batch ran 20% of the campaign's scenarios, below `min_coverage` (60%), so its figures are not the campaign's",
    );
    const verdict = decide(sepurux, short, 1);
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    const atFloor = toEvaluation(
      answer({ pass_rate: 1, trace_count: 5, scenario_coverage_pct: 60 }),
      { batch_id: 'b' },
      coverage,
      5,
    );
    expect(atFloor.unevaluated).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { toEvaluation } from '../../../../src/core/backends/sepurux/evaluation.js';
import { sepurux } from '../../../../src/core/backends/sepurux/index.js';
import { renderVerdict } from '../../../../src/core/render/markdown.js';
import { decide } from '../../../../src/core/verdict.js';
import { render } from '../../../support/render.js';

const answer = (over: Record<string, unknown>) => ({ batch_id: 'b', status: 'done', decision: 'pass', unsafe_attempts: 0, failures: 0, ...over }) as Parameters<typeof toEvaluation>[0];

describe('the pass rate with its error bar', () => {
  it('is a Wilson interval when the count behind it is known, named in the summary', () => {
    const evaluation = toEvaluation(answer({ pass_rate: 0.8, trace_count: 20 }), { batch_id: 'b' }, [], 20);
    const interval = evaluation.errorBars?.passRate;
    expect(interval).toMatchObject({ estimate: 0.8, n: 20, method: 'Wilson score interval (n = 20)' });
    expect(interval!.low).toBeCloseTo(0.584, 3);
    expect(interval!.high).toBeCloseTo(0.919, 3);
    const text = render(renderVerdict(decide(sepurux, evaluation, 1), { title: 'Gate', mode: 'hard', maxTools: 5, maxChars: 10_000 })).text;
    expect(text).toContain('pass rate 0.8 [0.584, 0.9193] (95% Wilson score interval (n = 20))');
  });

  it('has none without a count: one trace, or a rate that is no whole number of passes', () => {
    expect(toEvaluation(answer({ run_id: 'r', pass_rate: 1, trace_count: 1 }), {}, []).errorBars).toBeUndefined();
    expect(toEvaluation(answer({ pass_rate: 0.91, trace_count: 3 }), { batch_id: 'b' }, [], 3).errorBars).toBeUndefined();
  });
});

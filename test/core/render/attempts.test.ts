import { describe, expect, it } from 'vitest';
import { renderVerdict } from '../../../src/core/render/markdown.js';
import type { AttemptSummary } from '../../../src/core/retry/types.js';
import { sampleVerdict } from '../../support/verdict.js';
import { ENGINES, mentions, render } from '../../support/render.js';

const options = {
  title: 'Sepurux Reliability Gate',
  mode: 'hard' as const,
  maxTools: 10,
  maxChars: 65_000,
};

const attempts = (over: Partial<AttemptSummary> = {}): AttemptSummary => ({
  started: 2,
  retried: 1,
  retryErrors: 1,
  errors: [
    {
      run: 'run',
      attempt: 1,
      runId: 'run-a',
      message: 'the evaluation itself failed',
      kind: 'unevaluated',
      retried: true,
    },
    {
      run: 'run',
      attempt: 2,
      runId: 'run-b',
      message: 'judge <b>@octocat</b> timed out',
      kind: 'unevaluated',
      retried: false,
    },
  ],
  ...over,
});

describe.each(ENGINES)('the runs without a verdict, as GitHub renders them (%s)', (engine) => {
  it('lists each attempt under "Could not evaluate", apart from any regression, its text escaped', () => {
    const verdict = sampleVerdict({
      outcome: 'error',
      reason:
        'Sepurux could not evaluate the run: judge timed out; tried 2 times (`retry_errors`: 1).',
      attempts: attempts(),
    });
    const page = render(renderVerdict(verdict, options), engine);
    expect(page.text).toContain(
      'Could not evaluate: 1 run without a verdict after its retries (retry_errors: 1 per run; 1 retry in all). Not a regression',
    );
    const rows = page.rows.filter((row) => row[0] === 'run');
    expect(rows).toEqual([
      ['run', '1', 'run-a', 'the evaluation itself failed', 'started again'],
      ['run', '2', 'run-b', expect.stringContaining('timed out'), 'no verdict'],
    ]);
    expect(page.elements.has('b')).toBe(false);
    expect(mentions(page)).toEqual([]);
    expect(page.text).not.toMatch(/regressed|Failing tools/i);
  });

  it('says a retry found its verdict, and a bound that kept a retry from starting', () => {
    const recovered = render(
      renderVerdict(
        sampleVerdict({ attempts: attempts({ errors: attempts().errors.slice(0, 1) }) }),
        options,
      ),
      engine,
    );
    expect(recovered.text).toContain(
      'Started again: 1 run ended without a verdict and was run again (retry_errors: 1 per run); only the new run is judged.',
    );
    expect(recovered.text).not.toContain('Could not evaluate');
    const bounded = render(
      renderVerdict(
        sampleVerdict({
          outcome: 'error',
          attempts: attempts({ stoppedBy: '`max_runs` (2) was reached' }),
        }),
        options,
      ),
      engine,
    );
    expect(bounded.text).toContain('Not started again: `max_runs` (2) was reached.');
  });

  it('shows nothing for a run that had its verdict at once', () => {
    const page = render(
      renderVerdict(
        sampleVerdict({ attempts: attempts({ started: 1, retried: 0, errors: [] }) }),
        options,
      ),
      engine,
    );
    expect(page.text).not.toMatch(/Could not evaluate|Started again/);
  });
});

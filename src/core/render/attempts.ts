import type { Verdict } from '../verdict/verdict.js';
import { errorsLeft } from '../retry/types.js';
import { codeSpan, escapeText } from './escape.js';
import type { InputWord } from '../inputs/declare.js';

/** Errored attempts listed at most; the rest are counted (20 repeats × 4 attempts fit). */
const MAX_ERROR_ROWS = 80;

/**
 * The runs that ended without a verdict, apart from any regression: "Could not evaluate" when
 * errors are left after the retries, "Started again" when every retry found its verdict. Each
 * attempt with its run id and what the backend said; a budget that stopped a retry is said.
 */
export function attemptSection(verdict: Verdict, word: InputWord): string[] {
  const attempts = verdict.attempts;
  const left = errorsLeft(attempts);
  // A call refused for good and never retried (a 401) is said by the reason alone.
  if (!attempts || (attempts.retried === 0 && !left.some((e) => e.kind === 'unevaluated')))
    return [];
  const runs = (count: number) => `${count} run${count === 1 ? '' : 's'}`;
  const policy = `\`${word('retry_errors')}\`: ${attempts.retryErrors} per run`;
  const retries = `${attempts.retried} ${attempts.retried === 1 ? 'retry' : 'retries'} in all`;
  const once = attempts.readOnce;
  const heading =
    once && left.length > 0
      ? `**Could not evaluate**: the ${escapeText(once, 40)} has no verdict. It is one that exists, read once: another attempt would read the same ${escapeText(once, 40)}, so none is made. Not a regression: no figure of it is judged.`
      : left.length > 0
        ? `**Could not evaluate**: ${runs(left.length)} without a verdict after ${attempts.retried === 0 ? 'no retry' : left.length === 1 ? 'its retries' : 'their retries'} (${policy}; ${retries}). Not a regression: no figure of ${left.length === 1 ? 'it' : 'them'} is judged.`
        : `**Started again**: ${runs(attempts.retried)} ended without a verdict and ${attempts.retried === 1 ? 'was' : 'were'} run again (${policy}); only the new ${attempts.retried === 1 ? 'run is' : 'runs are'} judged.`;
  const bound = attempts.stoppedBy
    ? [`Not started again: ${escapeText(attempts.stoppedBy, 200)}.`, '']
    : [];
  const rows = attempts.errors
    .slice(0, MAX_ERROR_ROWS)
    .map(
      (error) =>
        `| ${escapeText(error.run, 20)} | ${error.attempt} | ${error.runId ? codeSpan(error.runId, 60) : '—'} | ${escapeText(error.message, 300)} | ${error.retried ? 'started again' : `**no verdict**${error.notRetried ? `: ${escapeText(error.notRetried, 120)}` : ''}`} |`,
    );
  const more =
    attempts.errors.length > MAX_ERROR_ROWS
      ? [`| *and ${attempts.errors.length - MAX_ERROR_ROWS} more* | | | | |`]
      : [];
  return [
    heading,
    '',
    ...bound,
    '| Run | Attempt | Run id | What happened | Then |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...more,
    '',
  ];
}

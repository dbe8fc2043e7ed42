import { excerpt } from '../support/text.js';
import type { AttemptSummary, RunError } from './types.js';

/** How much of each error's message a reason quotes. */
const MAX_MESSAGE_CHARS = 300;

/** "the evaluation itself failed" inside a sentence: a message's capital goes where it is not an acronym ("POST" stays). */
const inSentence = (message: string) =>
  /^[A-Z][a-z]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;

/** An error's message inside the reason. */
const said = (error: RunError) =>
  inSentence(excerpt(error.message, MAX_MESSAGE_CHARS).replace(/\.$/, ''));

/** "; tried 2 times (`retry_errors`: 1)", and what stopped the retries when a bound did. */
function tries(summary: AttemptSummary, errors: readonly RunError[]): string {
  const most = Math.max(0, ...errors.map((error) => error.attempt));
  const times =
    most > 1
      ? `; ${errors.length > 1 ? 'each tried up to' : 'tried'} ${most} times (\`retry_errors\`: ${summary.retryErrors})`
      : '';
  return `${times}${summary.stoppedBy ? `; not started again: ${summary.stoppedBy}` : ''}`;
}

/** The backend as the reason names it: its name, and what one evaluation of it is called (default `run`). */
export interface EvaluatedBy {
  displayName: string;
  evaluationNoun?: string;
}

/**
 * The reason of a gate whose errors remain after its retries (contract section 10): "could not
 * evaluate", how many, and the backend's own messages; never the words of a regression.
 * `repeats` is how many repeats the gate ran, for a gate with repeats.
 */
export function couldNotEvaluate(
  by: EvaluatedBy,
  left: readonly RunError[],
  summary: AttemptSummary,
  repeats?: number,
): string {
  const how = tries(summary, left);
  const backend = by.displayName;
  if (repeats === undefined) {
    const error = left[0];
    return `${backend} could not evaluate the ${by.evaluationNoun ?? 'run'}: ${error ? said(error) : 'no verdict'}${how}.`;
  }
  // In the repeats' order, not the order their errors came in.
  const index = (error: RunError) => Number(/\d+$/.exec(error.run)?.[0] ?? 0);
  const each = [...left]
    .sort((a, b) => index(a) - index(b))
    .map((error) => `${error.run}: ${said(error)}`)
    .join('; ');
  return `${backend} could not evaluate ${left.length} of ${repeats} repeats: ${each}${how}. A repeat without a verdict is never pooled, so the gate fails closed.`;
}

import type { Backend, BackendContext, GateLog, PreparedGate } from '../backends/types.js';
import { CancelledError } from '../support/cancel.js';
import type { Deadline } from '../support/deadline.js';
import { BackendCallError, DeadlineError, InputError, messageOf } from '../support/errors.js';
import { decide, type Evaluation, failedVerdict, type Verdict } from '../verdict/verdict.js';
import type { RunBudget } from './budget.js';
import { isTransient } from './transient.js';

/** What one attempt needs: the backend and its prepared gate, the gate's deadline, the job's cancel. */
export interface AttemptTarget {
  backend: Backend;
  prepared: PreparedGate;
  deadline: Deadline;
  /** Rejects when the job is cancelled. */
  stopped: Promise<never>;
  log: GateLog;
}

/** One attempt at a run, to a verdict of its own. */
export interface Attempt {
  verdict: Verdict;
  /** What the backend returned, when it returned at all. */
  evaluation?: Evaluation;
  context: BackendContext;
  durationMs: number;
  /** 1 for the first attempt at this run; each retry adds one. */
  attempt: number;
}

/**
 * Gives the context of a run's `key`th gate key (1-based): each key is its own backend run. A
 * retry takes the next key, but for a start whose answer never came, which is sent again with
 * the same key (the backend deduplicates it, contract section 2).
 */
export type AttemptContexts = (key: number) => BackendContext;

/**
 * The gate key `key` of a run whose first is `first`: a retry is a new backend run with its own
 * Idempotency-Key; a request resent within one attempt keeps the attempt's.
 */
export const attemptKey = (first: string, key: number): string =>
  key === 1 ? first : `${first}/retry:${key - 1}`;

/**
 * Runs `run` (`run`, or `repeat N`) to a verdict, starting it again after an error while
 * `budget` allows: only an error that another run may not repeat (the backend failed the run,
 * left it short of coverage, or could not be reached), up to `retry_errors` times, within
 * `max_runs` and the timeout. The caller has claimed the first start from the budget. Each
 * error is recorded in the budget. Never throws but for a cancelled job.
 */
export async function runWithRetries(
  target: AttemptTarget,
  budget: RunBudget,
  run: string,
  contexts: AttemptContexts,
): Promise<Attempt> {
  let key = 1;
  for (let attempt = 1; ; attempt++) {
    const context = contexts(key);
    const outcome = await attemptOnce(target, context, attempt);
    const { result, retryable } = outcome;
    // A problem with the inputs (a campaign name that does not exist) is no run error: it is said as it is.
    if (result.verdict.outcome !== 'error' || outcome.misconfigured) return result;
    const error = budget.recordError(
      target.backend,
      run,
      result,
      retryable || outcome.timedOut ? 'unevaluated' : 'refused',
    );
    if (!retryable) return result;
    const refused = budget.refuseRetry(attempt, target.deadline);
    if (refused) {
      target.log.info(`The ${run} ended without a verdict and is not started again: ${refused}.`);
      return result;
    }
    error.retried = true;
    // A start the backend may have carried out, whose answer never came, is sent again as it was.
    const startLost = outcome.mayHaveStarted && !startedRun(target, context);
    if (!startLost) key++;
    target.log.info(
      `The ${run} ended without a verdict (${result.verdict.reason.replace(/\.$/, '')}); ${startLost ? 'sending its start again with the same key' : 'starting it again'} (retry ${attempt} of ${budget.retryErrors}).`,
    );
  }
}

/** Whether the attempt learned the id of the run it started (the backend's `perRun` id). */
function startedRun(target: AttemptTarget, context: BackendContext): boolean {
  const ids = context.learnedIds();
  return target.backend.ids.some((spec) => spec.perRun && ids[spec.name]);
}

/** One attempt; an error is a `fail` verdict with outcome `error`, and whether another run may do better. */
async function attemptOnce(
  target: AttemptTarget,
  context: BackendContext,
  attempt: number,
): Promise<{
  result: Attempt;
  retryable: boolean;
  misconfigured?: boolean;
  timedOut?: boolean;
  /** A call that may have been carried out although no answer came. */
  mayHaveStarted?: boolean;
}> {
  const began = target.deadline.elapsedMs();
  const took = () => target.deadline.elapsedMs() - began;
  try {
    const evaluation = await Promise.race([target.stopped, target.prepared.run(context)]);
    const verdict = decide(target.backend, evaluation, took());
    return {
      result: { verdict, evaluation, context, durationMs: took(), attempt },
      // A run the backend failed, or left short of coverage, may be evaluated by another.
      retryable: evaluation.unevaluated !== undefined,
    };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const verdict = failedVerdict(
      target.backend.displayName,
      messageOf(error),
      context.learnedIds(),
      took(),
    );
    return {
      result: { verdict, context, durationMs: took(), attempt },
      retryable: isTransient(error),
      ...(error instanceof InputError ? { misconfigured: true } : {}),
      ...(error instanceof DeadlineError ? { timedOut: true } : {}),
      ...(error instanceof BackendCallError && error.mayHaveBeenProcessed
        ? { mayHaveStarted: true }
        : {}),
    };
  }
}

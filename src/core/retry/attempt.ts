import type { Backend, BackendContext, GateLog, PreparedGate } from '../backends/types.js';
import { CancelledError } from '../support/cancel.js';
import { type Deadline, sleep } from '../support/deadline.js';
import {
  BackendCallError,
  DeadlineError,
  InputError,
  messageOf,
  UnreachableError,
} from '../support/errors.js';
import { decide, type Evaluation, failedVerdict, type Verdict } from '../verdict/verdict.js';
import { excerpt } from '../support/text.js';
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
 * error is recorded in the budget. A retry answered with a run that already ended without a
 * verdict is refused: a retry is a new run. Never throws but for a cancelled job.
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
    const readopted = budget.erroredRun(target.backend, outcome.result.verdict.ids);
    const { result, retryable } = readopted
      ? { result: refusedRun(target, outcome.result, readopted), retryable: false }
      : outcome;
    // A problem with the inputs (a campaign name that does not exist) is no run error: it is said as it is.
    if (result.verdict.outcome !== 'error' || outcome.misconfigured) return result;
    const error = budget.recordError(
      target.backend,
      run,
      result,
      // A backend that could not be reached did not evaluate, though another run would fare the same (a wrong address).
      retryable || outcome.timedOut || outcome.unreachable ? 'unevaluated' : 'refused',
    );
    if (!retryable) {
      error.notRetried = readopted
        ? 'the backend answered with a run that had no verdict'
        : outcome.timedOut
          ? 'no time was left within `timeout`'
          : 'another run would be answered the same';
      return result;
    }
    // A start the backend may have carried out, whose answer never came, is sent again as it
    // was: the backend can deduplicate it, so it is no new run against `max_runs`.
    const resend = outcome.mayHaveStarted === true && !startedRun(target, context);
    const refused = budget.refuseRetry(attempt, target.deadline, resend);
    const subject =
      run === 'run'
        ? `The ${target.backend.evaluationNoun ?? 'run'}`
        : `${run.charAt(0).toUpperCase()}${run.slice(1)}`;
    if (refused) {
      error.notRetried = refused;
      target.log.info(`${subject} ended without a verdict and is not started again: ${refused}.`);
      return result;
    }
    error.retried = true;
    if (!resend) key++;
    target.log.info(
      `${subject} ended without a verdict: ${error.message.replace(/\.$/, '')}. ${resend ? 'Its start is sent again as it was, since the backend may have carried it out' : 'Starting it again'} (retry ${attempt} of ${budget.retryErrors}).`,
    );
    // A backend that could not be reached or was failing gets a moment before the next start.
    if (outcome.callFailed) await pause(target, attempt);
  }
}

/** The attempt's verdict when its run is one that already ended without a verdict: fail closed, never retried. */
function refusedRun(target: AttemptTarget, result: Attempt, runId: string): Attempt {
  const reason = `${target.backend.displayName} answered a new start with run "${excerpt(runId, 80)}", which had already ended without a verdict; a retry is a new run, so the gate fails closed.`;
  return {
    ...result,
    verdict: failedVerdict(
      target.backend.displayName,
      reason,
      result.verdict.ids,
      result.durationMs,
    ),
  };
}

/** Waits before a retry after a failed call: 1 s, then 2 s, then 4 s, never past the deadline. */
async function pause(target: AttemptTarget, attempt: number): Promise<void> {
  const ms = Math.min(1000 * 2 ** (attempt - 1), target.deadline.remainingMs() / 4);
  await Promise.race([target.stopped, sleep(ms)]);
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
  /** A call failed (rather than the backend answering that it did not evaluate). */
  callFailed?: boolean;
  /** A call could not reach the backend at all. */
  unreachable?: boolean;
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
      callFailed: true,
      ...(error instanceof InputError ? { misconfigured: true } : {}),
      ...(error instanceof DeadlineError ? { timedOut: true } : {}),
      ...(error instanceof UnreachableError ? { unreachable: true } : {}),
      ...(error instanceof BackendCallError && error.mayHaveBeenProcessed
        ? { mayHaveStarted: true }
        : {}),
    };
  }
}

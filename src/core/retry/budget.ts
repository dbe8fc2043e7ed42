import type { Backend } from '../backends/types.js';
import type { Deadline } from '../support/deadline.js';
import { truncate } from '../support/text.js';
import type { Evaluation, Verdict } from '../verdict/verdict.js';
import type { AttemptSummary, RunError } from './types.js';

/** How much of an error's message is kept. */
const MAX_MESSAGE_CHARS = 1000;

/** What bounds the runs one gate starts: the inputs `retry_errors` and `max_runs`. */
export interface RetryPolicy {
  retryErrors: number;
  maxRuns?: number;
  /** False when the backend gates a run that exists (TruLayer's `eval_run_id`): nothing to start again. */
  restartable: boolean;
  /** What one evaluation of the backend is called (its `evaluationNoun`); default `run`. */
  noun?: string;
  /** A retry is not started with less time than this left: it could only time out. */
  leastTimeMs: number;
}

/**
 * Counts the backend runs one gate starts (repeats and retries together) against `max_runs`,
 * and keeps every error; the verdict's {@link AttemptSummary} comes from it.
 */
export class RunBudget {
  private started = 0;
  private retried = 0;
  private readonly errors: RunError[] = [];
  private stoppedBy: string | undefined;

  constructor(private readonly policy: RetryPolicy) {}

  get retryErrors(): number {
    return this.policy.retryErrors;
  }

  /** Claims one start; false when `max_runs` is reached (the budget then decided, and says so). */
  claim(): boolean {
    if (this.policy.maxRuns !== undefined && this.started >= this.policy.maxRuns) {
      this.stoppedBy = `\`max_runs\` (${this.policy.maxRuns}) was reached`;
      return false;
    }
    this.started++;
    return true;
  }

  /** `max_runs`, when one is set. */
  get maxRuns(): number | undefined {
    return this.policy.maxRuns;
  }

  /** Whether another start fits in `max_runs`. */
  get canStart(): boolean {
    return this.policy.maxRuns === undefined || this.started < this.policy.maxRuns;
  }

  /** Records an attempt that ended without a verdict; returns the record, to mark it retried. */
  recordError(
    backend: Backend,
    run: string,
    attempt: { verdict: Verdict; evaluation?: Evaluation; attempt: number },
    kind: RunError['kind'],
  ): RunError {
    // The last one declared that it learned: a batch's id, rather than its first scenario run's.
    const perRun = backend.ids.findLast((spec) => spec.perRun && attempt.verdict.ids[spec.name]);
    const runId = perRun ? attempt.verdict.ids[perRun.name] : undefined;
    const error: RunError = {
      run,
      attempt: attempt.attempt,
      ...(runId ? { runId } : {}),
      runIds: backend.ids.flatMap((spec) => {
        const id = spec.perRun ? attempt.verdict.ids[spec.name] : undefined;
        return id ? [id] : [];
      }),
      // Bounded: a backend's 2 MiB message must not swell the report file past what readers take.
      message: truncate(
        attempt.evaluation?.unevaluated ?? attempt.verdict.reason,
        MAX_MESSAGE_CHARS,
      ),
      kind,
      retried: false,
    };
    this.errors.push(error);
    return error;
  }

  /**
   * Why attempt `attempt`'s run may not be started again, or undefined: claims the start when
   * it may. `retry_errors` spent is the policy, said in the log; `max_runs` and the timeout are
   * bounds, said in the verdict too.
   */
  refuseRetry(attempt: number, deadline: Deadline, resend = false): string | undefined {
    if (!this.policy.restartable)
      return `the gate evaluates one ${this.policy.noun ?? 'run'} that exists, not a new one`;
    if (attempt > this.policy.retryErrors)
      return this.policy.retryErrors === 0
        ? '`retry_errors` is 0'
        : `\`retry_errors\` (${this.policy.retryErrors}) ${this.policy.retryErrors === 1 ? 'is' : 'are'} spent`;
    if (deadline.remainingMs() < this.policy.leastTimeMs) {
      this.stoppedBy = 'too little of `timeout` was left to start it again';
      return this.stoppedBy;
    }
    // A resend of a start that may have been carried out is the same run, not a new one.
    if (!resend && !this.claim()) return this.stoppedBy;
    this.retried++;
    return undefined;
  }

  /**
   * The run among `ids` (the backend's `perRun` ids) that an earlier attempt, of any repeat,
   * ended without a verdict, or undefined: a backend that answers a retry with it would get a
   * run with no verdict judged.
   */
  erroredRun(
    backend: Backend,
    ids: Readonly<Record<string, string | undefined>>,
  ): string | undefined {
    const errored = new Set(this.errors.flatMap((error) => error.runIds ?? []));
    return backend.ids
      .filter((spec) => spec.perRun)
      .map((spec) => ids[spec.name])
      .find((id): id is string => id !== undefined && errored.has(id));
  }

  /**
   * Marks the error left by `run` as made good by `by`, a new repeat started in its place
   * (`repeats: auto`): a run started again, as a retry is, and no longer an error left.
   */
  markReplaced(run: string, by: string): void {
    for (const error of this.errors)
      if (error.run === run && !error.retried) {
        error.retried = true;
        error.replacedBy = by;
        this.retried++;
      }
  }

  /** What was started, retried and not evaluated; undefined for one run that had its verdict at once. */
  summary(): AttemptSummary {
    return {
      started: this.started,
      retried: this.retried,
      errors: this.errors.map((error) => ({ ...error })),
      retryErrors: this.policy.retryErrors,
      ...(this.policy.maxRuns === undefined ? {} : { maxRuns: this.policy.maxRuns }),
      ...(this.stoppedBy ? { stoppedBy: this.stoppedBy } : {}),
      ...(this.policy.restartable ? {} : { readOnce: this.policy.noun ?? 'run' }),
    };
  }
}

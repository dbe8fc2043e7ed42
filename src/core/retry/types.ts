/**
 * What the gate started, retried and could not evaluate (contract section 10). Owned by the
 * retry feature; a verdict carries it.
 */
export interface AttemptSummary {
  /** Backend runs started in all: every repeat and every retry. */
  started: number;
  /** Runs started again after an error. */
  retried: number;
  /** Every attempt that ended without a verdict, whether it was started again or not. */
  errors: RunError[];
  /** `retry_errors`: how many times one run may be started again. */
  retryErrors: number;
  /** `max_runs`: the most runs the gate may start, when one is set. */
  maxRuns?: number;
  /** Why an errored run was not started again, when a bound (not its kind) decided: `max_runs`, the timeout. */
  stoppedBy?: string;
  /**
   * Set when the gate evaluates one that exists (Braintrust's experiment, TruLayer's
   * `eval_run_id`): what it is called. It is read once, never started again, so `retry_errors`
   * does not apply to it.
   */
  readOnce?: string;
}

/** One attempt that ended without a verdict. */
export interface RunError {
  /** Which run it was an attempt at: `run` for a gate without repeats, `repeat N` with them. */
  run: string;
  /** 1 for the first attempt; each retry adds one. */
  attempt: number;
  /** The backend's id of the attempt's run, where it gave one (a batch's id for a batch). */
  runId?: string;
  /** Every id naming the attempt's run (a batch and its first scenario run): a later run with one of them is this one again. */
  runIds?: string[];
  /** Why it has no verdict: the backend's own message where it gave one. */
  message: string;
  /**
   * `unevaluated`: the backend did not evaluate (it failed the run, left it short of coverage,
   * could not be reached, or gave no verdict in time); `refused`: the gate refused what it was
   * answered (a 4xx, an answer it cannot trust), and fails closed saying so.
   */
  kind: 'unevaluated' | 'refused';
  /** True when a new attempt was started in its place; false: it is one of the errors left. */
  retried: boolean;
  /** Why it was not started again, when it was not. */
  notRetried?: string;
  /** `repeats: auto`: the repeat started in its place once its retries were spent (`repeat 4`). */
  replacedBy?: string;
}

/** The errors left after the retries that are the backend's not evaluating: said as "could not evaluate". */
export function unevaluatedLeft(summary: AttemptSummary | undefined): RunError[] {
  return errorsLeft(summary).filter((error) => error.kind === 'unevaluated');
}

/** The errors left after the retries: the runs that ended without a verdict. */
export function errorsLeft(summary: AttemptSummary | undefined): RunError[] {
  return summary?.errors.filter((error) => !error.retried) ?? [];
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** The backend runs the gate started, those it started again, and each that ended without a verdict. */
    attempts?: AttemptSummary;
  }
}

import type { z } from 'zod';
import type { GateLog } from '../support/log.js';
import type { Deadline } from '../support/deadline.js';
import type { FigureSpec } from '../verdict/figures.js';
import type { RawInputs } from '../inputs/fields.js';
import type { BackendWords, ExistingEvaluation } from '../inputs/backend-words.js';
import type { JsonTransport, TransportOptions } from '../transport/http.js';
import type { Decision, Evaluation, GateIds, ThresholdSpec } from '../verdict/verdict.js';
import type { Why } from '../verdict/why.js';

export type { GateLog };

/** What the workflow run tells a backend about the change being gated. */
export interface ChangeContext {
  /** `owner/name`. */
  repository: string;
  pullRequestNumber?: number;
  /** The commit being gated (the pull request's head). */
  commitSha?: string;
  /** Stable for one workflow run attempt and step: the `Idempotency-Key` seed. */
  gateKey: string;
}

/** Everything a backend may use while it runs. */
export interface BackendContext {
  baseUrl: string;
  deadline: Deadline;
  pollIntervalMs: number;
  log: GateLog;
  change: ChangeContext;
  /** A transport to the backend's base URL with the gate's deadline and timeouts. */
  transport(
    options: Pick<TransportOptions, 'credentials' | 'errorMessage' | 'headerInputs'>,
  ): JsonTransport;
  /** Records ids as they are learned, so that even a gate that errors reports them. */
  learned(ids: GateIds): void;
  /** The ids learned through this context (this attempt's run), for an attempt that errors. */
  learnedIds(): GateIds;
  /** The base branch's run id, where the front door can read it back (`baseline_run_id: auto`). */
  baselineRunId?: () => Promise<string | undefined>;
  /** What a comparison decides when there is nothing to compare with (`on_missing_baseline`). */
  onMissingBaseline: Decision;
}

/** A gate whose inputs are valid and whose local files are read: only network work is left. */
export interface PreparedGate {
  /** Starts or finds the evaluation, waits for it to be terminal, and returns it. */
  run(context: BackendContext): Promise<Evaluation>;
  /**
   * Reads why a failing verdict failed (the backend's own events about the runs), after `run`.
   * Called only for a `fail`; what it returns is shown, never decides. Undefined: nothing to show.
   */
  explain?(context: BackendContext): Promise<Why | undefined>;
  /**
   * False when `run` evaluates a run that exists rather than starting one (TruLayer's
   * `eval_run_id`): an error is then not retried, since another attempt would read the same run.
   */
  readonly restartable?: boolean;
}

/** The shared inputs a backend reads while it prepares. */
export interface SharedInputs {
  /** The backend credential (`token`); empty for a backend that reads its evaluation from a file. */
  token: string;
  /** The folder relative paths are read from (the runner's workspace); a file outside it is refused. */
  workspace: string;
  /** Judge thresholds on intervals at this level, where the backend's figures give one. */
  confidence?: number;
  onInconclusive: 'warn' | 'fail';
  /** How many times the gate runs the evaluation: a backend that cannot run it again says so as an input error. */
  repeats: number | 'auto';
  /** `min_coverage`: the least coverage, in percent, that counts as an evaluation; below it, an error. */
  minCoverage: number;
}

/** An id a backend learns while it runs (a run, a trace); each is an output of the action. */
export interface IdSpec {
  /** The output name, e.g. `run_id`. */
  name: string;
  /** How reports name it, e.g. `run`. */
  label: string;
  description: string;
  /**
   * Names one backend run: each repeat learns its own, and two repeats that learn the same one
   * evaluated one run twice (the gate fails closed rather than pool it twice).
   */
  perRun?: boolean;
}

/**
 * What a verdict was of, as far as comparing it with another goes: two verdicts compare only
 * when each such value is the same on both sides (Sepurux's campaign; TruLayer's dataset and
 * eval version). Read from an id the backend learns, or from one of its inputs.
 */
export interface ComparableSpec {
  /** The key in the verdict's `evaluated` and the baseline record. */
  name: string;
  /** How a reviewer reads it, e.g. `campaign`. */
  label: string;
  from: { id: string } | { input: string };
}

/** A drop threshold a backend declares: its input, and the figure whose fall it bounds. */
export interface DropSpec {
  input: string;
  figure: string;
}

/**
 * How a backend evaluates. `service`: it starts (or finds) a run on an API and polls it to a
 * verdict, so it reads `token`, `base_url` and `poll_interval`, and may run again (`repeats`,
 * `retry_errors`, `max_runs`). `reads`: the workflow's own step already ran the evaluation and
 * the backend reads its result (a file), so none of those are read, and given ones are input
 * errors (a default the runner filled in is not given).
 */
export type Evaluates =
  | {
      kind: 'service';
      /** API root when `base_url` is not given. */
      defaultBaseUrl: string;
      /** What its `token` holds, e.g. `a project API key or CI token`. */
      credential: string;
      /**
       * True for a service that holds an evaluation already run and decides nothing of its own
       * (Braintrust's experiments): the thresholds alone decide, as for a backend that reads.
       */
      judgedByThresholds?: boolean;
      /**
       * For a service that holds an evaluation the workflow's own step already ran (Braintrust's
       * experiment): what it holds. The gate polls nothing and runs nothing again, so the inputs
       * that would (`RUN_INPUTS`: `poll_interval`, `repeats`, `retry_errors`, `max_runs`, ...)
       * are not read, and given ones are input errors.
       */
      existing?: ExistingEvaluation;
    }
  | {
      kind: 'reads';
      /** What it reads, for messages: e.g. `` `results_file`, the file the evaluation wrote ``. */
      what: string;
    };

/**
 * One evaluation backend and its vocabulary: the inputs it reads, the figures it returns and
 * the ids it learns. Outputs, reports, action.yml and the command line's flags are all derived
 * from these declarations. Adding a backend is a folder under `src/core/backends/` exporting
 * this, and a line in `registry.ts`.
 */
export interface Backend extends BackendWords {
  /** Whether it starts and polls a run on a service, or reads an evaluation already run. */
  readonly evaluates: Evaluates;
  readonly defaultCheckName: string;
  /**
   * What one evaluation of it is called where the gate could not evaluate it ("Braintrust could
   * not evaluate the experiment"); default `run`.
   */
  readonly evaluationNoun?: string;
  /** Inputs only this backend reads, each documented; giving one with another backend is an input error. */
  readonly inputs: z.ZodObject;
  /** The figures its verdicts may hold, with their domains. */
  readonly figures: readonly FigureSpec[];
  /** The ids it learns. */
  readonly ids: readonly IdSpec[];
  /** Its threshold inputs and the figures they bound (an aggregate checks them on pooled figures). */
  readonly thresholds: readonly ThresholdSpec[];
  /**
   * Its drop thresholds: an input of its own (`max_pass_rate_drop`) and the figure it bounds
   * against the base branch's verdict (`pass_rate`). None: nothing is judged against a baseline.
   */
  readonly drops: readonly DropSpec[];
  /** What must be the same for a base verdict to be compared with this one. */
  readonly comparable: readonly ComparableSpec[];
  /**
   * Inputs that name one thing two ways (a trace as a file or as an id): in a config file of
   * gates, an entry that gives one of a group replaces the step's other, instead of clashing with it.
   */
  readonly alternatives: readonly (readonly string[])[];
  /** The figure whose trend along the base branch the report draws (Sepurux: pass rate; TruLayer: mean score). */
  readonly headlineFigure: string;
  /** Validates this backend's inputs and does all local work (reading files); never touches the network. */
  prepare(raw: RawInputs, shared: SharedInputs): Promise<PreparedGate>;
}

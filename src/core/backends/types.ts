import type { Deadline } from '../deadline.js';
import type { RawInputs } from '../inputs/fields.js';
import type { JsonTransport, TransportOptions } from '../transport/http.js';
import type { Evaluation, GateIds } from '../verdict.js';

/** Where the gate logs. Backends get this instead of `@actions/core`. */
export interface GateLog {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  /** Runs `work` inside a collapsible log group. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

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
  transport(options: Pick<TransportOptions, 'credentials' | 'errorMessage'>): JsonTransport;
  /** Records ids as they are learned, so that even a gate that errors reports them. */
  learned(ids: GateIds): void;
}

/** A gate whose inputs are valid and whose local files are read: only network work is left. */
export interface PreparedGate {
  /** Starts or finds the evaluation, waits for it to be terminal, and returns it. */
  run(context: BackendContext): Promise<Evaluation>;
}

/**
 * One evaluation backend. Adding one is a folder under `src/backends/` exporting this, and a
 * line in `registry.ts`.
 */
export interface Backend {
  readonly id: string;
  readonly displayName: string;
  readonly defaultBaseUrl: string;
  readonly defaultCheckName: string;
  /** Inputs only this backend reads; giving them with another backend is an input error. */
  readonly inputNames: readonly string[];
  /** Validates this backend's inputs and does all local work (reading files); never touches the network. */
  prepare(raw: RawInputs): Promise<PreparedGate>;
}

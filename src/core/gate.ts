import { BACKENDS, BACKEND_IDS, backendById } from './backends/registry.js';
import type { Backend, GateLog, PreparedGate } from './backends/types.js';
import { CancelledError } from './cancel.js';
import { Deadline } from './deadline.js';
import { InputError, messageOf } from './errors.js';
import { type CommonInputs, parseCommonInputs } from './inputs/common.js';
import type { RawInputs } from './inputs/fields.js';
import { type GateTarget, readTarget } from './change/github.js';
import type { AgentSource } from './transport/agents.js';
import { JsonTransport } from './transport/http.js';
import { decide, failedVerdict, type GateIds, type Verdict } from './verdict.js';

/** A gate whose inputs are all valid: what to run, where, and where to report. */
export interface GatePlan {
  inputs: CommonInputs & { baseUrl: string; checkName: string };
  backend: Backend;
  prepared: PreparedGate;
  target: GateTarget;
}

/** The event the workflow runs on, as `@actions/github`'s context gives it. */
export interface EventSource {
  eventName: string;
  payload: unknown;
}

/** Every input name any backend reads, for reading them all from the runner. */
export function allInputNames(commonNames: readonly string[]): string[] {
  return [...new Set([...commonNames, ...BACKENDS.flatMap((b) => b.inputNames)])];
}

/** Validates every input and reads local files; throws {@link InputError} before any network call. */
export async function planGate(raw: RawInputs, event: EventSource, env: NodeJS.ProcessEnv): Promise<GatePlan> {
  const target = readTarget(event.eventName, event.payload, env);
  if (!raw.token?.trim() && target.fromFork) {
    throw new InputError(
      'Input `token` is empty: this pull request comes from a fork, and GitHub gives fork workflows no secrets. ' +
        'Gate fork pull requests from a `workflow_run` workflow that runs in the base repository (see examples/workflows/fork-safe-gate.yml).',
    );
  }
  const inputs = parseCommonInputs(raw, BACKEND_IDS);
  const backend = backendById(inputs.backend);
  rejectForeignInputs(backend, raw);
  const prepared = await backend.prepare(raw);
  return {
    inputs: { ...inputs, baseUrl: inputs.base_url ?? backend.defaultBaseUrl, checkName: inputs.check_name ?? backend.defaultCheckName },
    backend,
    prepared,
    // The `head_sha` and `pull_request_number` inputs override what the event says.
    target: { ...target, headSha: inputs.head_sha ?? target.headSha, pullRequestNumber: inputs.pull_request_number ?? target.pullRequestNumber },
  };
}

function rejectForeignInputs(backend: Backend, raw: RawInputs): void {
  const own = new Set(backend.inputNames);
  const foreign = BACKENDS.filter((other) => other !== backend).flatMap((other) =>
    other.inputNames.filter((name) => !own.has(name) && raw[name]?.trim()).map((name) => ({ name, owner: other })),
  );
  if (foreign.length === 0) return;
  const list = foreign.map(({ name, owner }) => `\`${name}\` (${owner.displayName})`).join(', ');
  throw new InputError(
    `Input ${list} ${foreign.length === 1 ? 'is an input' : 'are inputs'} of another backend and would be ignored with \`backend: ${backend.id}\`; remove ${foreign.length === 1 ? 'it' : 'them'} or set \`backend\` to match.`,
  );
}

/** What a front door gives the core to run a gate with. */
export interface GateRuntime {
  log: GateLog;
  /** Settles with the signal's name when the job is cancelled. */
  cancelled?: Promise<string>;
  /** The agents that carry backend requests (a proxy's, where one is set). */
  agents?: AgentSource;
}

/**
 * Runs the backend to a verdict. Never throws: a failed call, a bad answer, the timeout or a
 * cancelled job (`cancelled` settles) becomes a `fail` verdict that says why.
 */
export async function runGate(plan: GatePlan, runtime: GateRuntime): Promise<Verdict> {
  const { inputs, backend, target } = plan;
  const { log, cancelled = new Promise<string>(() => undefined), agents } = runtime;
  const deadline = new Deadline(inputs.timeoutMs);
  const ids: GateIds = {};
  const stopped = cancelled.then((signal) => {
    throw new CancelledError(`The job was cancelled (${signal}) before ${backend.displayName} gave a verdict, so the gate fails closed.`);
  });
  // A cancel that comes after the verdict has nothing left to stop.
  stopped.catch(() => undefined);
  try {
    const evaluation = await Promise.race([stopped, plan.prepared.run({
      baseUrl: inputs.baseUrl,
      deadline,
      pollIntervalMs: inputs.pollIntervalMs,
      log,
      change: { repository: target.repository, pullRequestNumber: target.pullRequestNumber, commitSha: target.headSha, gateKey: target.gateKey },
      transport: (options) => new JsonTransport({ ...options, baseUrl: inputs.baseUrl, deadline, agents, debug: (line) => log.debug(line) }),
      learned: (more) => Object.assign(ids, definedOnly(more)),
    })]);
    return decide(backend.displayName, evaluation, deadline.elapsedMs());
  } catch (error) {
    const verdict = failedVerdict(backend.displayName, messageOf(error), ids, deadline.elapsedMs());
    return error instanceof CancelledError ? { ...verdict, outcome: 'cancelled' } : verdict;
  }
}

function definedOnly(ids: GateIds): GateIds {
  return Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined));
}

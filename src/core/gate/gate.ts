import { BACKENDS, BACKEND_IDS, backendById, rejectForeignInputs } from '../backends/registry.js';
import type {
  Backend,
  BackendContext,
  ChangeContext,
  GateLog,
  PreparedGate,
} from '../backends/types.js';
import { CancelledError } from '../support/cancel.js';
import { Deadline } from '../support/deadline.js';
import { InputError, messageOf } from '../support/errors.js';
import {
  type CommonInputs,
  DEFAULT_MAX_REPEATS,
  DEFAULT_MIN_REPEATS,
  parseCommonInputs,
} from '../inputs/common.js';
import type { RawInputs } from '../inputs/fields.js';
import type { AgentSource } from '../transport/agents.js';
import { JsonTransport } from '../transport/http.js';
import { decide, failedVerdict, type GateIds, type Verdict } from '../verdict/verdict.js';
import { formatNumber } from '../verdict/figures.js';
import type { Why } from '../verdict/why.js';
import { DEFAULT_RATE_MARGIN, type RepeatPolicy, runRepeats } from '../repeats/run.js';
import {
  type BaselinePolicy,
  type BaselineRecord,
  dropsOf,
  notComparable,
} from '../baseline/compare.js';

/** A gate whose inputs are all valid: what to run, where, and on which change. */
export interface GatePlan {
  inputs: CommonInputs & { baseUrl: string };
  backend: Backend;
  prepared: PreparedGate;
  /** The change being gated, with the `head_sha` and `pull_request_number` inputs applied. */
  change: ChangeContext;
  /** The drop thresholds, judged against a baseline where a front door has one. */
  drops: BaselinePolicy['drops'];
  /** The backend's inputs that say what is evaluated (`comparable` declarations), by input name, as given. */
  evaluatedInputs: Record<string, string>;
}

/**
 * Validates every input and reads local files; throws {@link InputError} before any network
 * call. `change` is what the front door read of the change from its CI (an event, variables).
 */
export async function planGate(raw: RawInputs, change: ChangeContext): Promise<GatePlan> {
  // Every problem is reported at once: four bad inputs are four lines of one run, not four runs.
  const problems: unknown[] = [];
  const attempt = async <T>(work: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      problems.push(error);
      return undefined;
    }
  };
  const inputs = await attempt(() => parseCommonInputs(raw, BACKENDS));
  const backend = inputs
    ? backendById(inputs.backend)
    : BACKENDS.find((b) => b.id === (raw.backend?.trim().toLowerCase() || BACKEND_IDS[0]));
  if (backend) await attempt(() => rejectForeignInputs(backend, raw));
  if (backend && inputs) await attempt(() => requireMargins(backend, raw, inputs));
  if (backend && inputs) await attempt(() => boundMargins(backend, raw, inputs));
  const drops = backend ? await attempt(() => dropsOf(backend, raw)) : undefined;
  const shared = {
    token: inputs?.token ?? '',
    confidence: inputs?.confidence,
    onInconclusive: inputs?.on_inconclusive ?? 'fail',
    repeats: inputs?.repeats ?? 1,
  };
  const prepared = backend ? await attempt(() => backend.prepare(raw, shared)) : undefined;
  const invalid = InputError.combine(problems);
  if (invalid || !inputs || !backend || !prepared)
    throw invalid ?? new Error('unreachable: a plan without problems is complete');
  return {
    drops: drops ?? [],
    // The inputs that say what is evaluated, as given (a backend's `comparable` declared `from: input`).
    evaluatedInputs: Object.fromEntries(
      backend.comparable.flatMap((spec) => {
        const value = 'input' in spec.from ? raw[spec.from.input]?.trim().toLowerCase() : undefined;
        return 'input' in spec.from && value ? [[spec.from.input, value]] : [];
      }),
    ),
    inputs: { ...inputs, baseUrl: inputs.base_url ?? backend.defaultBaseUrl },
    backend,
    prepared,
    change: {
      ...change,
      // Matrix legs share the run, attempt, job and step: the shard tells their evaluations apart.
      gateKey: inputs.shard ? `${change.gateKey}/shard:${inputs.shard}` : change.gateKey,
      commitSha: inputs.head_sha ?? change.commitSha,
      pullRequestNumber: inputs.pull_request_number ?? change.pullRequestNumber,
    },
  };
}

/**
 * `repeats: auto` tests "at least threshold + margin" against "at most threshold − margin": a
 * rate has a default margin, any other figure (a score, a mean) needs one in its own unit.
 */
function requireMargins(backend: Backend, raw: RawInputs, inputs: CommonInputs): void {
  if (inputs.repeats !== 'auto' || inputs.margin !== undefined) return;
  const needing = backend.thresholds.filter((t) => {
    const figure = backend.figures.find((f) => f.name === t.figure);
    const rate = figure?.domain.min === 0 && figure.domain.max === 1;
    return raw[t.input]?.trim() && figure && !figure.domain.integer && !rate;
  });
  if (needing.length === 0) return;
  throw new InputError(
    `Input \`margin\` is required with \`repeats: auto\` and ${needing.map((t) => `\`${t.input}\``).join(', ')}: ${needing.length === 1 ? 'its figure is' : 'their figures are'} not a rate, so there is no default (a rate's is ${DEFAULT_RATE_MARGIN}); set it in the figure's unit, e.g. \`margin: 2\` for points of a score`,
  );
}

/**
 * `repeats: auto`'s hypotheses, threshold ± `margin`, must both be values the figure can take,
 * strictly inside its range (a rate's (0, 1)): past an edge they are clamped onto it, the test
 * then tells "perfect" from "nothing", and any middling value "holds". An input error before
 * any call, naming `margin` and the most it may be.
 */
function boundMargins(backend: Backend, raw: RawInputs, inputs: CommonInputs): void {
  if (inputs.repeats !== 'auto') return;
  const problems = backend.thresholds.flatMap((t) => {
    const figure = backend.figures.find((f) => f.name === t.figure);
    const given = raw[t.input]?.trim();
    const limit = given ? Number(given) : Number.NaN;
    // Counts are judged on their sums, not tested; a limit that is no number is the backend's input error.
    if (!figure || figure.domain.integer || !Number.isFinite(limit)) return [];
    const { min, max } = figure.domain;
    const rate = min === 0 && max === 1;
    const margin = inputs.margin ?? (rate ? DEFAULT_RATE_MARGIN : undefined);
    if (margin === undefined) return [];
    const room = Math.min(
      min === undefined ? Infinity : limit - min,
      max === undefined ? Infinity : max - limit,
    );
    if (margin < room) return [];
    const range = `${figure.label.toLowerCase()}'s range (${figure.domain.described})`;
    const margined = `\`margin\`${inputs.margin === undefined ? ` (default ${margin})` : ` ${margin}`}`;
    const tested = `"at least ${formatNumber(limit + margin)}" against "at most ${formatNumber(limit - margin)}"`;
    if (!(room > 0)) {
      return [
        `Input ${margined} with \`${t.input}: ${given}\` would test ${tested}, and no margin keeps both inside the ${range}: the threshold is at its edge; use a fixed \`repeats\` (e.g. \`repeats: 5\`) for it`,
      ];
    }
    const example = Number((room / 2).toPrecision(1));
    return [
      `Input ${margined} with \`${t.input}: ${given}\` would test ${tested}, outside the ${range}: threshold ± margin must stay strictly inside it; write a \`margin\` below ${formatNumber(room)} (e.g. \`margin: ${formatNumber(example)}\`)`,
    ];
  });
  if (problems.length > 0) throw new InputError(problems);
}

/** What a front door gives the core to run a gate with. */
export interface GateRuntime {
  log: GateLog;
  /** Settles with the signal's name when the job is cancelled. */
  cancelled?: Promise<string>;
  /** The agents that carry backend requests (a proxy's, where one is set). */
  agents?: AgentSource;
  /** The base branch's run id, for a backend that compares against it (`BackendContext.baselineRunId`). */
  baselineRunId?: () => Promise<string | undefined>;
}

/**
 * Runs the backend to a verdict. Never throws: a failed call, a bad answer, the timeout or a
 * cancelled job (`cancelled` settles) becomes a `fail` verdict that says why.
 */
export async function runGate(plan: GatePlan, runtime: GateRuntime): Promise<Verdict> {
  const verdict = await runToVerdict(plan, runtime);
  return withEvaluated(plan, verdict);
}

/**
 * The base commit's run, for a backend that compares against it (`BackendContext.baselineRunId`):
 * that of the newest of its records (`record`, then the `older` ones) that is of what
 * this gate evaluates (same backend, and the same `comparable` inputs); otherwise none.
 */
export function comparableRunId(
  plan: GatePlan,
  found: { record?: BaselineRecord; older?: readonly BaselineRecord[] } | undefined,
): string | undefined {
  const evaluated = evaluatedOf(plan, {});
  const here = { backend: plan.backend.displayName, ...(evaluated ? { evaluated } : {}) };
  const record = [...(found?.record ? [found.record] : []), ...(found?.older ?? [])].find(
    (candidate) => !notComparable(here, candidate),
  );
  return record?.ids.run_id;
}

/** What the gate evaluated, from the backend's `comparable` declarations: an id it learned, or one of its inputs. */
function evaluatedOf(plan: GatePlan, ids: GateIds): Record<string, string> | undefined {
  const evaluated: Record<string, string> = {};
  for (const spec of plan.backend.comparable) {
    const value = 'id' in spec.from ? ids[spec.from.id] : plan.evaluatedInputs[spec.from.input];
    if (value) evaluated[spec.name] = value;
  }
  return Object.keys(evaluated).length > 0 ? evaluated : undefined;
}

function withEvaluated(plan: GatePlan, verdict: Verdict): Verdict {
  const evaluated = evaluatedOf(plan, verdict.ids);
  return evaluated ? { evaluated, ...verdict } : verdict;
}

async function runToVerdict(plan: GatePlan, runtime: GateRuntime): Promise<Verdict> {
  const { inputs, backend, change } = plan;
  const { log, cancelled = new Promise<string>(() => undefined), agents, baselineRunId } = runtime;
  const deadline = new Deadline(inputs.timeoutMs);
  const ids: GateIds = {};
  const stopped = cancelled.then((signal) => {
    throw new CancelledError(
      `The job was cancelled (${signal}) before ${backend.displayName} gave a verdict, so the gate fails closed.`,
    );
  });
  // A cancel that comes after the verdict has nothing left to stop.
  stopped.catch(() => undefined);
  const contextWith = (contextLog: GateLog, gateKey: string): BackendContext => ({
    baseUrl: inputs.baseUrl,
    deadline,
    pollIntervalMs: inputs.pollIntervalMs,
    log: contextLog,
    change: { ...change, gateKey },
    transport: (options) =>
      new JsonTransport({
        ...options,
        baseUrl: inputs.baseUrl,
        deadline,
        agents,
        debug: (line) => contextLog.debug(line),
      }),
    learned: (more) => Object.assign(ids, definedOnly(more)),
    onMissingBaseline: inputs.on_missing_baseline,
    ...(baselineRunId ? { baselineRunId } : {}),
  });
  const context = contextWith(log, change.gateKey);
  try {
    if (inputs.repeats !== 1) {
      return await runRepeats({
        backend,
        prepared: plan.prepared,
        policy: repeatPolicy(inputs),
        deadline,
        log,
        // Each repeat is its own backend run: its index is part of the key that makes a resent start idempotent.
        contextFor: (index) =>
          contextWith(repeatLog(log, index), `${change.gateKey}/repeat:${index}`),
        stopped,
        explain: (repeatContext) =>
          plan.prepared.explain
            ? explainSafely(plan.prepared.explain, repeatContext)
            : Promise.resolve(undefined),
      });
    }
    const evaluation = await Promise.race([stopped, plan.prepared.run(context)]);
    const verdict = decide(backend, evaluation, deadline.elapsedMs());
    if (verdict.decision !== 'fail' || !plan.prepared.explain) return verdict;
    const why = await Promise.race([stopped, explainSafely(plan.prepared.explain, context)]);
    return why ? { ...verdict, why, durationMs: deadline.elapsedMs() } : verdict;
  } catch (error) {
    const verdict = failedVerdict(backend.displayName, messageOf(error), ids, deadline.elapsedMs());
    return error instanceof CancelledError ? { ...verdict, outcome: 'cancelled' } : verdict;
  }
}

/** The backend's "why"; a failure to read it is one log line, never a different verdict. */
async function explainSafely(
  explain: NonNullable<PreparedGate['explain']>,
  context: BackendContext,
): Promise<Why | undefined> {
  try {
    return await explain(context);
  } catch (error) {
    context.log.info(`Could not read why the verdict failed: ${messageOf(error)}`);
    return undefined;
  }
}

function repeatPolicy(inputs: GatePlan['inputs']): RepeatPolicy {
  return {
    repeats: inputs.repeats,
    maxRepeats: inputs.max_repeats ?? DEFAULT_MAX_REPEATS,
    minRepeats: inputs.min_repeats ?? DEFAULT_MIN_REPEATS,
    ...(inputs.margin === undefined ? {} : { margin: inputs.margin }),
    ...(inputs.confidence === undefined ? {} : { confidence: inputs.confidence }),
    onInconclusive: inputs.on_inconclusive,
    requireAll: inputs.require_all_repeats,
  };
}

/** A repeat's log: its lines say which repeat they are about, and its groups are plain lines (repeats run side by side). */
function repeatLog(log: GateLog, index: number): GateLog {
  const tag = (message: string) => `[repeat ${index}] ${message}`;
  return {
    info: (message) => log.info(tag(message)),
    debug: (message) => log.debug(tag(message)),
    warning: (message) => log.warning(tag(message)),
    group: async (title, work) => {
      log.info(tag(`${title}…`));
      return work();
    },
  };
}

function definedOnly(ids: GateIds): GateIds {
  return Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined));
}

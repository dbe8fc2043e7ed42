import type { BackendContext, GateLog, PreparedGate } from '../backends/types.js';
import { CancelledError } from '../support/cancel.js';
import { Deadline } from '../support/deadline.js';
import { messageOf } from '../support/errors.js';
import { DEFAULT_MAX_REPEATS, DEFAULT_MIN_REPEATS } from '../inputs/common.js';
import type { AgentSource } from '../transport/agents.js';
import { JsonTransport } from '../transport/http.js';
import { failedVerdict, type GateIds, MAX_REASON_CHARS, type Verdict } from '../verdict/verdict.js';
import { truncate } from '../support/text.js';
import { attemptKey, type AttemptTarget, runWithRetries } from '../retry/attempt.js';
import { RunBudget } from '../retry/budget.js';
import { unevaluatedLeft } from '../retry/types.js';
import { couldNotEvaluate } from '../retry/words.js';
import type { Why } from '../verdict/why.js';
import { type RepeatPolicy, runRepeats } from '../repeats/run.js';
import { type BaseBranch, baselineRecordOf, type HistoryEntry } from '../baseline/history.js';

import type { GatePlan } from './plan.js';

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
 * The base branch's run, for a backend that compares against it (`BackendContext.baselineRunId`):
 * that of the record the drop thresholds compare with ({@link baselineRecordOf}: the base
 * commit's newest verdict of what this gate evaluates, else the newest along the `history`, or
 * with `median` the median's), so that the backend compares with the baseline the outputs name.
 * An accepted verdict is no baseline, here either: the log says so, and no run is given.
 */
export function comparableRunId(
  plan: GatePlan,
  found: { base?: BaseBranch['base']; history?: readonly HistoryEntry[] },
  from: 'base' | 'median',
  log: GateLog,
): string | undefined {
  const evaluated = evaluatedOf(plan, {});
  const here = { backend: plan.backend.displayName, ...(evaluated ? { evaluated } : {}) };
  const { record, accepted } = baselineRecordOf(here, found.base, found.history, from);
  if (accepted && !record) log.info(`Baseline run: none, ${accepted}.`);
  // The backend's run id (its `perRun` id) is what it compares against.
  const runId = plan.backend.ids.find((spec) => spec.perRun)?.name;
  return runId ? record?.ids[runId] : undefined;
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
  const contextWith = (contextLog: GateLog, gateKey: string): BackendContext => {
    // This attempt's own ids, beside the gate's: an attempt that errors reports the run it had.
    const own: GateIds = {};
    return {
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
      learned: (more) => {
        Object.assign(ids, definedOnly(more));
        Object.assign(own, definedOnly(more));
      },
      learnedIds: () => ({ ...own }),
      onMissingBaseline: inputs.on_missing_baseline,
      ...(baselineRunId ? { baselineRunId } : {}),
    };
  };
  const budget = new RunBudget({
    retryErrors: inputs.retry_errors,
    ...(inputs.max_runs === undefined ? {} : { maxRuns: inputs.max_runs }),
    restartable: plan.prepared.restartable !== false,
    ...(backend.evaluationNoun ? { noun: backend.evaluationNoun } : {}),
    // A retry with less than two polls of `timeout` left could only time out.
    leastTimeMs: 2 * inputs.pollIntervalMs,
  });
  const target: AttemptTarget = { backend, prepared: plan.prepared, deadline, stopped, log };
  try {
    if (inputs.repeats !== 1) {
      return await runRepeats({
        ...target,
        policy: repeatPolicy(inputs),
        budget,
        // Each repeat is its own backend run: its index is part of the key that makes a resent start
        // idempotent, and each retry of it adds its own.
        contextsFor: (index) => (attempt) =>
          contextWith(
            attemptLog(log, attempt, index),
            attemptKey(`${change.gateKey}/repeat:${index}`, attempt),
          ),
        explain: (repeatContext) =>
          plan.prepared.explain
            ? explainSafely(plan.prepared.explain, repeatContext)
            : Promise.resolve(undefined),
      });
    }
    budget.claim();
    const result = await runWithRetries(target, budget, 'run', (attempt) =>
      contextWith(attemptLog(log, attempt), attemptKey(change.gateKey, attempt)),
    );
    const attempts = budget.summary();
    const left = unevaluatedLeft(attempts);
    if (result.verdict.outcome === 'error') {
      const reason = left.length
        ? truncate(couldNotEvaluate(backend, left, attempts), MAX_REASON_CHARS)
        : result.verdict.reason;
      return {
        ...result.verdict,
        reason,
        ids: { ...ids, ...result.verdict.ids },
        attempts,
        durationMs: deadline.elapsedMs(),
      };
    }
    const verdict = { ...result.verdict, attempts, durationMs: deadline.elapsedMs() };
    if (verdict.decision !== 'fail' || !plan.prepared.explain) return verdict;
    const why = await Promise.race([stopped, explainSafely(plan.prepared.explain, result.context)]);
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

/**
 * A log whose lines say which attempt they are about (`[retry 1]`, `[repeat 2, retry 1]`).
 * Repeats run side by side, so their groups are plain lines; a lone run's retries keep theirs.
 */
function attemptLog(log: GateLog, attempt: number, repeat?: number): GateLog {
  const retry = attempt > 1 ? `retry ${attempt - 1}` : '';
  const label = [repeat === undefined ? '' : `repeat ${repeat}`, retry].filter(Boolean).join(', ');
  if (!label) return log;
  const tag = (message: string) => `[${label}] ${message}`;
  return {
    info: (message) => log.info(tag(message)),
    debug: (message) => log.debug(tag(message)),
    warning: (message) => log.warning(tag(message)),
    group:
      repeat === undefined
        ? (title, work) => log.group(tag(title), work)
        : async (title, work) => {
            log.info(tag(`${title}…`));
            return work();
          },
  };
}

function definedOnly(ids: GateIds): GateIds {
  return Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined));
}

import type { Backend, BackendContext, GateLog, PreparedGate } from '../backends/types.js';
import { CancelledError } from '../support/cancel.js';
import type { Deadline } from '../support/deadline.js';
import { messageOf } from '../support/errors.js';
import { excerpt, truncate } from '../support/text.js';
import {
  checkThreshold,
  decide,
  type Decision,
  describeThreshold,
  type Evaluation,
  MAX_REASON_CHARS,
  type Threshold,
  type ThresholdResult,
  type Verdict,
  worst,
} from '../verdict/verdict.js';
import type { Why } from '../verdict/why.js';
import {
  detectability,
  mergeFailingTools,
  type Pooled,
  pooledInterval,
  poolFigures,
} from './pool.js';
import { sequentialData, type SequentialQuestion, sequentialTest } from './sequential.js';
import type { Detectable, RepeatRow, RepeatSummary, SequentialState } from './types.js';

/** Repeats started at once, at most: a backend is not sent twenty runs in the same instant. */
export const MAX_CONCURRENT_REPEATS = 5;
/** The margin of a rate (a figure from 0 to 1) when `margin` is not given. */
export const DEFAULT_RATE_MARGIN = 0.05;
/** The confidence of `repeats: auto`'s sequential test when `confidence` is not given. */
const DEFAULT_AUTO_CONFIDENCE = 0.95;

/** How the gate repeats its evaluation, from the inputs. */
export interface RepeatPolicy {
  repeats: number | 'auto';
  maxRepeats: number;
  minRepeats: number;
  margin?: number;
  confidence?: number;
  onInconclusive: 'warn' | 'fail';
  requireAll: boolean;
}

/** What the core hands the repeats: the backend, its prepared gate, and a context for each repeat. */
export interface RepeatRun {
  backend: Backend;
  prepared: PreparedGate;
  policy: RepeatPolicy;
  deadline: Deadline;
  log: GateLog;
  /** The context of repeat `index` (1-based): its own gate key, so that each is its own backend run. */
  contextFor(index: number): BackendContext;
  /** Rejects when the job is cancelled. */
  stopped: Promise<never>;
  /** Reads why a repeat failed, where the backend can say; never throws. */
  explain(context: BackendContext): Promise<Why | undefined>;
}

interface Outcome {
  row: RepeatRow;
  verdict: Verdict;
  evaluation?: Evaluation;
  context: BackendContext;
  durationMs: number;
}

/**
 * Runs the evaluation several times and judges the pooled figures (contract section 8). Fixed
 * `repeats: N` starts them together, a bounded number at once; `auto` starts `min_repeats`, then
 * adds one repeat a round until a sequential test decides every threshold, up to `max_repeats`
 * and within `timeout`, where the pooled figure decides and the verdict says so. A repeat that
 * could not run, or that the backend failed for a reason no threshold explains, fails the gate
 * closed, naming it. Never throws but for a cancelled job.
 */
export async function runRepeats(run: RepeatRun): Promise<Verdict> {
  const { policy, deadline } = run;
  const outcomes: Outcome[] = [];
  let next = 1;
  const start = async (count: number) => {
    const indices = Array.from({ length: count }, () => next++);
    outcomes.push(
      ...(await mapBounded(indices, MAX_CONCURRENT_REPEATS, (index) => runOne(run, index))),
    );
  };
  if (policy.repeats !== 'auto') {
    run.log.info(
      `Running the evaluation ${policy.repeats} times, ${Math.min(policy.repeats, MAX_CONCURRENT_REPEATS)} at once.`,
    );
    await start(policy.repeats);
    return finish(run, outcomes, { mode: 'fixed', stopped: `all ${policy.repeats} repeats ran` });
  }
  run.log.info(
    `Repeats: auto, from ${policy.minRepeats} to ${policy.maxRepeats} runs, until a sequential test decides every threshold.`,
  );
  await start(policy.minRepeats);
  for (;;) {
    const broken = closedFailure(outcomes, run.backend);
    const sequential = sequentialStates(run, outcomes);
    if (broken)
      return finish(run, outcomes, { mode: 'auto', stopped: 'a repeat failed closed', sequential });
    if (sequential.every((s) => s.call !== 'undecided')) {
      return finish(run, outcomes, {
        mode: 'auto',
        stopped: `the sequential test decided every threshold after ${outcomes.length} repeat${outcomes.length === 1 ? '' : 's'}`,
        sequential,
      });
    }
    // Another round must fit in what is left of `timeout`: as long as the slowest repeat so far took.
    const slowest = Math.max(...outcomes.map((o) => o.durationMs));
    const budget =
      outcomes.length >= policy.maxRepeats
        ? `max_repeats (${policy.maxRepeats})`
        : deadline.remainingMs() < slowest * 1.5
          ? 'timeout'
          : undefined;
    if (budget) {
      return finish(run, outcomes, {
        mode: 'auto',
        stopped: `the budget (${budget}) came before the sequential test decided; the pooled figures decide`,
        sequential,
        decidedAtBudget: true,
      });
    }
    run.log.info(
      `After ${outcomes.length} repeat${outcomes.length === 1 ? '' : 's'}: ${sequential
        .filter((s) => s.call === 'undecided')
        .map((s) => `\`${s.input}\` undecided`)
        .join(', ')}; adding a repeat.`,
    );
    await start(1);
  }
}

/** Runs repeat `index` to a verdict of its own; a repeat that cannot run is an error row, never an exception (but for a cancel). */
async function runOne(run: RepeatRun, index: number): Promise<Outcome> {
  const context = run.contextFor(index);
  const began = run.deadline.elapsedMs();
  try {
    const evaluation = await Promise.race([run.stopped, run.prepared.run(context)]);
    const verdict = decide(run.backend, evaluation, run.deadline.elapsedMs() - began);
    return {
      row: rowOf(index, verdict),
      verdict,
      evaluation,
      context,
      durationMs: run.deadline.elapsedMs() - began,
    };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const reason = messageOf(error);
    const verdict: Verdict = {
      decision: 'fail',
      reason,
      outcome: 'error',
      backend: run.backend.displayName,
      ids: {},
      figures: {},
      thresholds: [],
      topFailingTools: [],
      durationMs: 0,
    };
    return {
      row: { ...rowOf(index, verdict), outcome: 'error' },
      verdict,
      context,
      durationMs: run.deadline.elapsedMs() - began,
    };
  }
}

function rowOf(index: number, verdict: Verdict): RepeatRow {
  return {
    index,
    decision: verdict.decision,
    outcome: verdict.outcome,
    reason: verdict.reason,
    figures: verdict.figures,
    ...(verdict.ids.run_id ? { runId: verdict.ids.run_id } : {}),
    ...(verdict.dashboardUrl ? { dashboardUrl: verdict.dashboardUrl } : {}),
    failingTools: verdict.topFailingTools.map((t) => t.tool),
  };
}

/**
 * The repeat that fails the gate closed whatever the others say: one that could not run, or one
 * the backend failed while its figures meet every threshold the gate knows (a reason the gate
 * cannot see, such as a batch's failing scenario).
 */
function closedFailure(
  outcomes: Outcome[],
  backend: Backend,
): { index: number; why: string } | undefined {
  for (const { row, verdict } of outcomes) {
    if (row.outcome !== 'evaluated')
      return { index: row.index, why: `could not run: ${verdict.reason.replace(/\.$/, '')}` };
    const explained = verdict.thresholds.some((t) => !t.holds);
    if (verdict.backendDecision && verdict.backendDecision !== 'pass' && !explained) {
      return {
        index: row.index,
        why: `${verdict.reason.replace(/\.$/, '')}, for a reason no threshold explains`,
      };
    }
  }
  return sharedRun(outcomes, backend);
}

/**
 * A repeat whose run is another repeat's (the same run id, or batch id: any id the backend
 * declares `perRun`): a backend that answers every new run with one it already has would get
 * that run pooled as if it were many, its counts multiplied and its interval narrowed. Each
 * repeat is its own run (a lost answer recovered within one repeat is still that repeat's), so
 * two repeats sharing one fail the gate closed, naming the id.
 */
function sharedRun(
  outcomes: Outcome[],
  backend: Backend,
): { index: number; why: string } | undefined {
  const perRun = backend.ids.filter((spec) => spec.perRun).map((spec) => spec.name);
  const seen = new Map<string, number>();
  for (const { row, verdict } of [...outcomes].sort((a, b) => a.row.index - b.row.index)) {
    for (const name of perRun) {
      const id = verdict.ids[name];
      if (id === undefined || id === '') continue;
      const first = seen.get(`${name}\u0000${id}`);
      if (first !== undefined) {
        return {
          index: row.index,
          why: `was answered with ${name} "${excerpt(id, 80)}", the run repeat ${first} evaluated: one run pooled twice is not two samples`,
        };
      }
      seen.set(`${name}\u0000${id}`, row.index);
    }
  }
  return undefined;
}

/** The thresholds every repeat was judged on, as the first evaluation declared them, without its own intervals. */
function thresholdsOf(outcomes: Outcome[]): Threshold[] {
  const first = outcomes.find((o) => o.evaluation)?.evaluation;
  return (first?.thresholds ?? []).map((threshold) => {
    const plain: Threshold = { ...threshold };
    delete plain.interval;
    delete plain.onInconclusive;
    return plain;
  });
}

/** The pooled figures of the repeats that ran. */
function pooledOf(run: RepeatRun, outcomes: Outcome[]): Pooled {
  return poolFigures(
    outcomes.filter((o) => o.row.outcome === 'evaluated').map((o) => o.row.figures),
    run.backend.figures,
  );
}

/** The sequential questions: one per threshold on a rate or a mean (counts are judged on their sums). */
function questionsOf(run: RepeatRun, thresholds: Threshold[]): SequentialQuestion[] {
  const error = 1 - (run.policy.confidence ?? DEFAULT_AUTO_CONFIDENCE);
  return thresholds.flatMap((t) => {
    const spec = run.backend.figures.find((f) => f.name === t.figure);
    if (!spec || spec.domain.integer) return [];
    const margin =
      run.policy.margin ??
      (spec.domain.min === 0 && spec.domain.max === 1 ? DEFAULT_RATE_MARGIN : undefined);
    // Planning refuses `auto` without a margin for such a figure; without one there is no question to ask.
    if (margin === undefined) return [];
    return [
      {
        input: t.input,
        comparator: t.comparator,
        limit: t.limit,
        margin,
        alpha: error,
        beta: error,
      },
    ];
  });
}

function sequentialStates(run: RepeatRun, outcomes: Outcome[]): SequentialState[] {
  const pooled = pooledOf(run, outcomes);
  const thresholds = thresholdsOf(outcomes);
  return questionsOf(run, thresholds).flatMap((question) => {
    const figure = thresholds.find((t) => t.input === question.input)?.figure ?? '';
    const domain = run.backend.figures.find((f) => f.name === figure)?.domain;
    const data = domain ? sequentialData(pooled, figure, domain) : undefined;
    return data ? [sequentialTest(question, data)] : [];
  });
}

/** The verdict of the repeats: the pooled figures judged, pass^k counted, and why the gate stopped. */
async function finish(
  run: RepeatRun,
  outcomes: Outcome[],
  how: {
    mode: RepeatSummary['mode'];
    stopped: string;
    sequential?: SequentialState[];
    decidedAtBudget?: boolean;
  },
): Promise<Verdict> {
  const { policy, backend } = run;
  const rows = outcomes.map((o) => o.row).sort((a, b) => a.index - b.index);
  const evaluated = outcomes.filter((o) => o.row.outcome === 'evaluated');
  const pooled = pooledOf(run, outcomes);
  const confidence = policy.confidence ?? DEFAULT_AUTO_CONFIDENCE;
  const intervals = Object.fromEntries(
    Object.keys(pooled.figures).flatMap((figure) => {
      const domain = backend.figures.find((f) => f.name === figure)?.domain;
      const interval = domain?.integer ? undefined : pooledInterval(pooled, figure, confidence);
      // A t interval knows nothing of bounds: a rate's is cut to 0..1, where its values live.
      const within = (value: number) =>
        Math.min(domain?.max ?? Infinity, Math.max(domain?.min ?? -Infinity, value));
      return interval
        ? [[figure, { ...interval, low: within(interval.low), high: within(interval.high) }]]
        : [];
    }),
  );
  const calls = new Map((how.sequential ?? []).map((s) => [s.input, s.call]));
  const judged: ThresholdResult[] = thresholdsOf(outcomes).map((threshold) => {
    // Fixed repeats with `confidence`: three-way on the interval across repeats.
    const interval =
      how.mode === 'fixed' && policy.confidence !== undefined
        ? intervals[threshold.figure]
        : undefined;
    const result = checkThreshold(
      interval ? { ...threshold, interval, onInconclusive: policy.onInconclusive } : threshold,
      pooled.figures,
      backend.figures,
    );
    // `auto`: the pooled figure and the sequential call are both evidence; neither may carry a
    // threshold the other breaks, so it holds only when the pooled figure holds and the test
    // does not call it broken (an undecided test leaves it to the pooled figure). The record
    // says so, and readers of the report check it by this rule.
    const call = calls.get(threshold.input);
    if (call === undefined) return result;
    return {
      ...result,
      holds: result.holds && call !== 'breaks',
      decidedBy: { rule: 'sequential' as const, call },
    };
  });
  const passed = evaluated.filter((o) => o.verdict.decision === 'pass').length;
  if (policy.requireAll) {
    judged.push({
      input: 'require_all_repeats',
      figure: 'repeats_passed',
      label: 'Repeats passed',
      comparator: '>=',
      limit: rows.length,
      breaks: 'fail',
      actual: passed,
      holds: passed === rows.length,
    });
  }
  const closed = closedFailure(outcomes, backend);
  const broken = judged.filter((t) => !t.holds);
  const warned = evaluated.some(
    (o) => o.verdict.backendDecision === 'warn' && o.verdict.thresholds.every((t) => t.holds),
  );
  const decision: Decision = closed
    ? 'fail'
    : broken.reduce<Decision>((acc, t) => worst(acc, t.breaks), warned ? 'warn' : 'pass');
  const detectable = detectables(pooled, judged, confidence, rows.length, backend);
  const tools = flakyAndSteady(evaluated.map((o) => o.row.failingTools));
  const summary: RepeatSummary = {
    mode: how.mode,
    run: rows.length,
    passed,
    rows,
    intervals,
    stopped: closed ? `repeat ${closed.index} failed closed` : how.stopped,
    ...(how.decidedAtBudget ? { decidedAtBudget: true } : {}),
    ...(how.sequential ? { sequential: how.sequential } : {}),
    detectable,
    ...tools,
  };
  const reason = closed
    ? `Repeat ${closed.index} of ${rows.length} ${closed.why}, so the gate fails closed.`
    : explainRepeats(backend.displayName, summary, judged, broken);
  const first = evaluated[0]?.verdict ?? outcomes[0]?.verdict;
  const verdict: Verdict = {
    decision,
    reason: truncate(reason, MAX_REASON_CHARS),
    outcome: 'evaluated',
    backend: backend.displayName,
    ...(first?.status ? { status: first.status } : {}),
    backendDecision: closed ? 'fail' : warned ? 'warn' : 'pass',
    ids: first?.ids ?? {},
    ...(first?.dashboardUrl ? { dashboardUrl: first.dashboardUrl } : {}),
    figures: pooled.figures,
    thresholds: judged,
    topFailingTools: mergeFailingTools(evaluated.map((o) => o.verdict.topFailingTools)),
    repeats: summary,
    durationMs: run.deadline.elapsedMs(),
  };
  if (decision !== 'fail') return verdict;
  // Why: the worst repeat that ran and failed, as a single run would say it.
  const worstRun = evaluated.find((o) => o.verdict.decision === 'fail');
  const why = worstRun
    ? await Promise.race([run.stopped, run.explain(worstRun.context)])
    : undefined;
  return why ? { ...verdict, why } : verdict;
}

function explainRepeats(
  backend: string,
  summary: RepeatSummary,
  judged: ThresholdResult[],
  broken: ThresholdResult[],
): string {
  const k = `${summary.passed} of ${summary.run} repeats passed on their own`;
  const how = summary.mode === 'auto' ? ` (repeats: auto; ${summary.stopped})` : '';
  if (broken.length === 0)
    return `${backend}, ${summary.run} repeats pooled${how}: ${judged.length > 0 ? `all ${judged.length} thresholds hold` : 'no threshold to judge'}; ${k}.`;
  return `${backend}, ${summary.run} repeats pooled${how}: ${broken.map(describeThreshold).join('; ')}; ${k}.`;
}

function detectables(
  pooled: Pooled,
  judged: ThresholdResult[],
  confidence: number,
  repeats: number,
  backend: Backend,
): Detectable[] {
  return judged.flatMap((t) => {
    const spec = backend.figures.find((f) => f.name === t.figure);
    if (!spec || spec.domain.integer || t.actual === undefined) return [];
    const observed = t.comparator === '>=' ? t.limit - t.actual : t.actual - t.limit;
    const seen = detectability(
      pooled,
      t.figure,
      confidence,
      observed > 0 ? observed : undefined,
      repeats,
    );
    return seen
      ? [
          {
            input: t.input,
            shortfall: seen.shortfall,
            ...(observed > 0 ? { observed: Number(observed.toFixed(6)) } : {}),
            ...(seen.repeatsNeeded ? { repeatsNeeded: seen.repeatsNeeded } : {}),
          },
        ]
      : [];
  });
}

/** Tools failing in some repeats but not all (flaky) apart from those failing in every repeat (steady). */
function flakyAndSteady(lists: string[][]): { flakyTools: string[]; steadyTools: string[] } {
  const seen = new Map<string, number>();
  for (const list of lists)
    for (const tool of new Set(list)) seen.set(tool, (seen.get(tool) ?? 0) + 1);
  const steadyTools = [...seen].filter(([, n]) => n === lists.length).map(([tool]) => tool);
  const flakyTools = [...seen].filter(([, n]) => n < lists.length).map(([tool]) => tool);
  return { flakyTools, steadyTools };
}

/** Maps `items` with at most `limit` at once, keeping their order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let cursor = 0;
  const worker = async () => {
    while (cursor < items.length) {
      const at = cursor++;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { truncate } from '../support/text.js';
import {
  checkThreshold,
  type Decision,
  describeThreshold,
  MAX_REASON_CHARS,
  type Threshold,
  type ThresholdResult,
  type Verdict,
  worst,
} from '../verdict/verdict.js';
import { mergeFailingTools, type Pooled, pooledInterval, poolFigures } from './pool.js';
import { sequentialData, type SequentialQuestion, sequentialTest } from './sequential.js';
import type { RepeatSummary, SequentialState } from './types.js';
import { unevaluatedLeft } from '../retry/types.js';
import { closedFailure } from './closed.js';
import { couldNotEvaluate } from '../retry/words.js';

import { detectables, flakyAndSteady } from './findings.js';
import {
  DEFAULT_AUTO_CONFIDENCE,
  DEFAULT_RATE_MARGIN,
  type Outcome,
  type RepeatRun,
} from './run-types.js';

/** The thresholds every repeat was judged on, as the first evaluation declared them, without its own intervals. */
function sharedThresholds(outcomes: Outcome[]): Threshold[] {
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

export function sequentialStates(run: RepeatRun, outcomes: Outcome[]): SequentialState[] {
  const pooled = pooledOf(run, outcomes);
  const thresholds = sharedThresholds(outcomes);
  return questionsOf(run, thresholds).flatMap((question) => {
    const figure = thresholds.find((t) => t.input === question.input)?.figure ?? '';
    const domain = run.backend.figures.find((f) => f.name === figure)?.domain;
    const data = domain ? sequentialData(pooled, figure, domain) : undefined;
    return data ? [sequentialTest(question, data)] : [];
  });
}

/** The verdict of the repeats: the pooled figures judged, pass^k counted, and why the gate stopped. */
export async function judgeRepeats(
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
  const judged: ThresholdResult[] = sharedThresholds(outcomes).map((threshold) => {
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
      // Of the evaluated repeats: one without a verdict fails the gate apart, as could not evaluate.
      limit: evaluated.length,
      breaks: 'fail',
      actual: passed,
      holds: passed === evaluated.length,
    });
  }
  // Repeats left without a verdict after their retries: the gate could not evaluate (never a regression).
  const attempts = run.budget.summary();
  const closed = closedFailure(outcomes, backend, attempts.errors);
  const left = unevaluatedLeft(attempts);
  // A repeat replaced by another (`auto`) left no error: the one in its place was evaluated.
  const unevaluated = rows.some(
    (row) => row.outcome !== 'evaluated' && row.replacedBy === undefined,
  );
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
    // Only evaluated repeats are samples: one without a verdict is never counted as run.
    run: evaluated.length,
    passed,
    rows,
    intervals,
    stopped:
      unevaluated && left.length > 0
        ? `${left.length} of ${rows.length} repeats had no verdict after their retries`
        : closed
          ? `repeat ${closed.index} failed closed`
          : how.stopped,
    ...(how.decidedAtBudget ? { decidedAtBudget: true } : {}),
    ...(how.sequential ? { sequential: how.sequential } : {}),
    detectable,
    ...tools,
  };
  const reason =
    unevaluated && left.length > 0
      ? couldNotEvaluate(backend, left, attempts, rows.length)
      : closed
        ? `Repeat ${closed.index} of ${rows.length} ${closed.why}, so the gate fails closed.`
        : explainRepeats(backend.displayName, summary, judged, broken);
  const first = evaluated[0]?.verdict ?? outcomes[0]?.verdict;
  const verdict: Verdict = {
    decision,
    reason: truncate(reason, MAX_REASON_CHARS),
    outcome: unevaluated ? 'error' : 'evaluated',
    backend: backend.displayName,
    ...(first?.status ? { status: first.status } : {}),
    backendDecision: closed ? 'fail' : warned ? 'warn' : 'pass',
    ids: first?.ids ?? {},
    ...(first?.dashboardUrl ? { dashboardUrl: first.dashboardUrl } : {}),
    figures: pooled.figures,
    thresholds: judged,
    // A gate that could not evaluate names no failing tool: it is not a regression.
    topFailingTools: unevaluated
      ? []
      : mergeFailingTools(evaluated.map((o) => o.verdict.topFailingTools)),
    repeats: summary,
    attempts,
    durationMs: run.deadline.elapsedMs(),
  };
  if (decision !== 'fail' || unevaluated) return verdict;
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
  const how = summary.mode === 'auto' ? ` (\`repeats: auto\`; ${summary.stopped})` : '';
  if (broken.length === 0)
    return `${backend}, ${summary.run} repeats pooled${how}: ${judged.length > 1 ? `all ${judged.length} thresholds hold` : judged.length === 1 ? 'its threshold holds' : 'no threshold to judge'}; ${k}.`;
  return `${backend}, ${summary.run} repeats pooled${how}: ${broken.map(describeThreshold).join('; ')}; ${k}.`;
}

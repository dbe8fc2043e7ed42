import { type Decision, worst } from './decision.js';
import { type Figures, type FigureSpec, figuresOutOfDomain, formatFigure } from './figures.js';
import { type ErrorBars, type Interval, judgeAtLeast } from '../support/stats.js';
import { excerpt, truncate } from '../support/text.js';
import type { Why } from './why.js';
import type { ShardRow } from '../aggregate/types.js';
import type { BaselineComparison } from '../baseline/record.js';
import type { RepeatSummary } from '../repeats/types.js';
import type { HistorySummary } from '../baseline/history-types.js';

/** A reason is one sentence: a backend that answers a 2 MiB message does not get a 2 MiB reason. */
export const MAX_REASON_CHARS = 1000;
/** How much of a backend's own explanation a reason quotes. */
const MAX_SAID_CHARS = 500;

export type { Decision } from './decision.js';
export { worst } from './decision.js';

export type { Figures } from './figures.js';

/** A threshold input a backend declares: which figure it bounds, and how. */
export interface ThresholdSpec {
  /** The input that sets it, as its backend declares it. */
  input: string;
  /** The figure's name, as its backend declares it. */
  figure: string;
  comparator: '>=' | '<=';
}

/** A limit the user set, checked by the gate itself on the figures the backend returned. */
export interface Threshold extends ThresholdSpec {
  limit: number;
  /** What a broken threshold decides: `fail`, or `warn` where the user's policy says so. */
  breaks: Exclude<Decision, 'pass'>;
  /**
   * Judge on this interval of the figure instead of its point value: it holds when the whole
   * interval is within the limit, breaks when the whole is outside, and is inconclusive
   * otherwise, which decides `onInconclusive`.
   */
  interval?: Interval;
  onInconclusive?: Exclude<Decision, 'pass'>;
  /**
   * The figure cannot exist here, and why (a comparison with no baseline to compare with):
   * when it is absent, `decides` (set by the input `by`) decides instead of failing closed, and
   * the reason says that nothing was compared.
   */
  unmeasured?: { why: string; decides: Decision; by: string };
}

/** A threshold and what the backend's figure made of it, with the figure's label and unit for reports. */
export interface ThresholdResult extends Threshold {
  label: string;
  unit?: string;
  actual: number | undefined;
  holds: boolean;
  /** Judged on an interval that straddles the limit. */
  inconclusive?: boolean;
  /**
   * The rule that judged it, where it is not the point value (nor `interval`, nor `unmeasured`):
   * `sequential` (`repeats: auto`): the pooled point value and the sequential test's `call`, the
   * more severe of the two (it holds only when the point value holds and the call is not
   * `breaks`). Readers of a report check each threshold by its rule. Reports of releases before
   * this field judged `repeats: auto` by a decided call alone.
   */
  decidedBy?: ThresholdRule;
}

/** How a threshold was judged, beyond its point value: see {@link ThresholdResult.decidedBy}. */
export interface ThresholdRule {
  rule: 'sequential';
  call: 'holds' | 'breaks' | 'undecided';
}

/** Ids the gate learned, by the names their backend declares (`run_id`); every one is an output. */
export type GateIds = Record<string, string | undefined>;

/** What a backend hands back once its evaluation is terminal. */
export interface Evaluation {
  /** The backend's own decision, mapped to ours (an unknown one is already `fail`). */
  decision: Decision;
  /** The backend's final status string, as it said it. */
  status: string;
  /** The backend's own explanation, when it gives one. */
  reason?: string;
  ids: GateIds;
  dashboardUrl?: string;
  figures: Figures;
  thresholds: Threshold[];
  topFailingTools: { tool: string; count: number }[];
  errorBars?: ErrorBars;
  /**
   * Why the backend could not evaluate at all (a run that ended `failed`, items it never
   * scored): the verdict is an error, `fail`, never a sample of a pooled or sequential verdict.
   */
  unevaluated?: string;
}

/** The normalized verdict every reporter renders. */
export interface Verdict {
  /** The base branch's history beside this verdict (`history`): new and known failures, the trend. */
  history?: HistorySummary;
  /** What was evaluated (the backend's `comparable` declarations): a base verdict of something else is not comparable. */
  evaluated?: Record<string, string>;
  decision: Decision;
  /** One sentence a reviewer understands. */
  reason: string;
  /** `error` when the gate could not reach a verdict (bad answer, timeout, failed call); `cancelled` when the job was. */
  outcome: 'evaluated' | 'error' | 'cancelled';
  backend: string;
  status?: string;
  /** What the backend itself decided, before the gate's own checks; absent when it never said. */
  backendDecision?: Decision;
  ids: GateIds;
  dashboardUrl?: string;
  figures: Figures;
  thresholds: ThresholdResult[];
  topFailingTools: { tool: string; count: number }[];
  /** Why a failing verdict failed, when the backend could say; never part of the decision. */
  why?: Why;
  /** An aggregate's shards, one row each. */
  shards?: ShardRow[];
  /** The comparison with the base branch's last verdict, when one was looked for. */
  baseline?: BaselineComparison;
  /** Error bars from per-item scores, when the backend gives them. */
  errorBars?: ErrorBars;
  /** The repeats behind a pooled verdict (`repeats`), each run's figures and why the gate stopped. */
  repeats?: RepeatSummary;
  durationMs: number;
}

/** What `decide` needs to know of a backend: its name and the figures it declares. */
export interface BackendVocabulary {
  displayName: string;
  figures: readonly FigureSpec[];
}

/** Checks one threshold; a figure the backend did not return breaks it (fail closed). */
export function checkThreshold(
  threshold: Threshold,
  figures: Figures,
  specs: readonly FigureSpec[],
): ThresholdResult {
  const spec = specs.find((s) => s.name === threshold.figure);
  const shown = {
    label: spec?.label ?? threshold.figure,
    ...(spec?.unit ? { unit: spec.unit } : {}),
  };
  const { interval } = threshold;
  if (interval) {
    // `<=` limits are judged as `>=` on the negated interval.
    const judged =
      threshold.comparator === '>='
        ? judgeAtLeast(interval, threshold.limit)
        : judgeAtLeast({ ...interval, low: -interval.high, high: -interval.low }, -threshold.limit);
    if (judged === 'inconclusive')
      return {
        ...threshold,
        ...shown,
        actual: interval.estimate,
        holds: false,
        inconclusive: true,
        breaks: threshold.onInconclusive ?? 'fail',
      };
    return { ...threshold, ...shown, actual: interval.estimate, holds: judged === 'holds' };
  }
  const actual = figures[threshold.figure];
  if (actual === undefined && threshold.unmeasured) {
    const { decides } = threshold.unmeasured;
    return {
      ...threshold,
      ...shown,
      actual,
      holds: decides === 'pass',
      breaks: decides === 'pass' ? threshold.breaks : decides,
    };
  }
  const holds =
    actual !== undefined &&
    Number.isFinite(actual) &&
    (threshold.comparator === '>=' ? actual >= threshold.limit : actual <= threshold.limit);
  return { ...threshold, ...shown, actual, holds };
}

/** `<figure> 0.72 < 0.85 (<input>)`, or `no <figure> returned (<input> 80)`: a threshold as one clause of a reason. */
export function describeThreshold(result: ThresholdResult): string {
  const figure = result.label.toLowerCase();
  const limit = formatFigure(result, result.limit);
  if (result.actual === undefined && result.unmeasured) return unmeasuredSentence(result);
  if (result.actual === undefined) return `no ${figure} returned (\`${result.input}\` ${limit})`;
  const { interval } = result;
  if (interval) {
    const range = `${formatFigure(result, result.actual)} [${formatFigure(result, interval.low)}, ${formatFigure(result, interval.high)}]`;
    const how = `${Math.round(interval.confidence * 100)}% ${interval.method}`;
    const said = result.inconclusive
      ? 'is inconclusive against'
      : result.holds
        ? result.comparator === '>='
          ? 'is all ≥'
          : 'is all ≤'
        : result.comparator === '>='
          ? 'is all <'
          : 'is all >';
    return `${figure} ${range} ${said} ${limit} (\`${result.input}\`, ${how})`;
  }
  // The point value's own side of the limit: a threshold the sequential test broke may have a point value that meets it.
  const meets =
    Number.isFinite(result.actual) &&
    (result.comparator === '>=' ? result.actual >= result.limit : result.actual <= result.limit);
  const sign = meets
    ? result.comparator.replace('>=', '≥').replace('<=', '≤')
    : result.comparator === '>='
      ? '<'
      : '>';
  const said = `${figure} ${formatFigure(result, result.actual)} ${sign} ${limit} (\`${result.input}\`)`;
  return meets && !result.holds && result.decidedBy?.call === 'breaks'
    ? `${said}, but the sequential test calls it broken (repeats: auto)`
    : said;
}

/** `nothing was compared for `delta_tolerance` (no base run; on_missing_baseline: warn)`. */
function unmeasuredSentence(result: ThresholdResult): string {
  const { why, decides, by } = result.unmeasured ?? { why: '', decides: 'fail', by: '' };
  return `nothing was compared for \`${result.input}\` (${why}; ${by}: ${decides})`;
}

/**
 * Decides. `pass` only when the backend said pass and every threshold holds on the figures it
 * returned; otherwise the most severe of the backend's decision and the broken thresholds.
 */
export function decide(
  vocabulary: BackendVocabulary,
  evaluation: Evaluation,
  durationMs: number,
): Verdict {
  const backend = vocabulary.displayName;
  if (evaluation.unevaluated) {
    const reason = `${backend} could not evaluate: ${evaluation.unevaluated.replace(/\.$/, '')}.`;
    return {
      ...failedVerdict(backend, reason, evaluation.ids, durationMs),
      status: evaluation.status,
      dashboardUrl: evaluation.dashboardUrl,
      figures: evaluation.figures,
    };
  }
  const untrusted = figuresOutOfDomain(evaluation.figures, vocabulary.figures);
  if (untrusted.length > 0) {
    const reason = `${backend} answered ${untrusted.length === 1 ? 'a figure' : 'figures'} outside ${untrusted.length === 1 ? 'its' : 'their'} domain (${untrusted.join('; ')}), so the gate fails closed rather than judge ${untrusted.length === 1 ? 'it' : 'them'}.`;
    return {
      ...failedVerdict(backend, reason, evaluation.ids, durationMs),
      status: evaluation.status,
      dashboardUrl: evaluation.dashboardUrl,
      figures: evaluation.figures,
    };
  }
  const thresholds = evaluation.thresholds.map((t) =>
    checkThreshold(t, evaluation.figures, vocabulary.figures),
  );
  const broken = thresholds.filter((t) => !t.holds);
  const decision = broken.reduce<Decision>((acc, t) => worst(acc, t.breaks), evaluation.decision);
  return {
    decision,
    reason: truncate(explain(backend, evaluation, broken, thresholds), MAX_REASON_CHARS),
    outcome: 'evaluated',
    backend,
    status: evaluation.status,
    backendDecision: evaluation.decision,
    ids: evaluation.ids,
    dashboardUrl: evaluation.dashboardUrl,
    figures: evaluation.figures,
    thresholds,
    topFailingTools: evaluation.topFailingTools,
    ...(evaluation.errorBars ? { errorBars: evaluation.errorBars } : {}),
    durationMs,
  };
}

function explain(
  backend: string,
  evaluation: Evaluation,
  broken: ThresholdResult[],
  thresholds: ThresholdResult[],
): string {
  const checked = thresholds.length;
  const said = evaluation.reason
    ? `${backend}: ${excerpt(evaluation.reason, MAX_SAID_CHARS).replace(/\.$/, '')}`
    : `${backend} decided ${evaluation.decision}`;
  const breaks = broken.map(describeThreshold).join('; ');
  if (evaluation.decision === 'pass' && broken.length === 0) {
    // A comparison that could not be made holds only by policy: the reason says so.
    const uncompared = thresholds
      .filter((t) => t.actual === undefined && t.unmeasured)
      .map(unmeasuredSentence);
    if (uncompared.length > 0)
      return `${said}, and ${checked - uncompared.length} of ${checked} thresholds hold; ${uncompared.join('; ')}.`;
    return checked > 1
      ? `${said}, and all ${checked} thresholds hold.`
      : checked === 1
        ? `${said}, and its threshold holds.`
        : `${said}.`;
  }
  if (evaluation.decision === 'pass' && broken.every((t) => t.unmeasured && t.actual === undefined))
    return `${said}, but ${breaks}.`;
  if (evaluation.decision === 'pass')
    return `${backend} said pass, but the gate's own check fails: ${breaks}.`;
  return broken.length > 0 ? `${said}; ${breaks}.` : `${said}.`;
}

/** The verdict when the gate could not evaluate: always `fail`, with the error as the reason. */
export function failedVerdict(
  backend: string,
  reason: string,
  ids: GateIds,
  durationMs: number,
): Verdict {
  return {
    decision: 'fail',
    reason: truncate(reason, MAX_REASON_CHARS),
    outcome: 'error',
    backend,
    ids,
    figures: {},
    thresholds: [],
    topFailingTools: [],
    durationMs,
  };
}

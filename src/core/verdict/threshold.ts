import { type Decision } from './decision.js';
import {
  type Figures,
  type FigureSpec,
  formatAgainst,
  formatFigure,
  formatLimit,
} from './figures.js';
import { type Interval, judgeAtLeast } from '../support/stats.js';

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

/**
 * How a threshold was judged, beyond its point value: see {@link ThresholdResult.decidedBy}.
 * `cases`: the case-by-case regression test against the base branch (`regression_alpha`), whose
 * actual value is its p and which holds when p ≥ the limit; `said` is its sentence for a reason.
 */
export type ThresholdRule =
  { rule: 'sequential'; call: 'holds' | 'breaks' | 'undecided' } | { rule: 'cases'; said: string };

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
  // The case-by-case test names its cases and its p itself.
  if (result.decidedBy?.rule === 'cases') return result.decidedBy.said;
  const figure = result.label.toLowerCase();
  const limit = formatLimit(result, result.limit);
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
  const said = `${figure} ${formatAgainst(result, result.actual, result.limit)} ${sign} ${limit} (\`${result.input}\`)`;
  return meets &&
    !result.holds &&
    result.decidedBy?.rule === 'sequential' &&
    result.decidedBy.call === 'breaks'
    ? `${said}, but the sequential test calls it broken (\`repeats: auto\`)`
    : said;
}

/** `nothing was compared for `delta_tolerance` (no base run; on_missing_baseline: warn)`. */
export function unmeasuredSentence(result: ThresholdResult): string {
  const { why, decides, by } = result.unmeasured ?? { why: '', decides: 'fail', by: '' };
  return `nothing was compared for \`${result.input}\` (${why}; ${by}: ${decides})`;
}

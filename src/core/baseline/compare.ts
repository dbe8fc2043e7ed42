import { type BaselineComparison, BaselineRecord } from './record.js';
import { noCaseInCommon } from '../cases/beside.js';
import { type Interval, meanAndSd, tQuantile } from '../support/stats.js';
import { InputError } from '../support/errors.js';
import { truncate } from '../support/text.js';
import {
  checkThreshold,
  type Decision,
  describeThreshold,
  type Figures,
  MAX_REASON_CHARS,
  type ThresholdResult,
  type Verdict,
  worst,
} from '../verdict/verdict.js';
import { COMPARABLE_SPECS, figureSpec } from '../backends/vocabulary.js';
import type { Backend } from '../backends/types.js';
import type { RawInputs } from '../inputs/fields.js';
import type { z } from 'zod';

/** The figure of a drop threshold is its figure's name and this: `<figure>_drop`. */
const DROP_SUFFIX = '_drop';

// The record's shape lives apart, so that a verdict can carry a comparison without importing how it is made.
export { BaselineRecord, type BaselineComparison };

/**
 * The drop thresholds given, as the backend declares them (the input and the figure each
 * bounds), read from the raw inputs through the backend's own schema; a value that does not
 * parse is an input error naming it. Either front door's inputs.
 */
export function dropsOf(backend: Backend, raw: RawInputs): BaselinePolicy['drops'] {
  const problems: string[] = [];
  const drops = backend.drops.flatMap(({ input, figure }) => {
    if (!raw[input]?.trim()) return [];
    const parsed = (backend.inputs.shape[input] as z.ZodType).safeParse(raw[input]);
    if (parsed.success && typeof parsed.data === 'number')
      return [{ input, figure, limit: parsed.data }];
    problems.push(`Input \`${input}\` ${parsed.error?.issues[0]?.message ?? 'is not a number'}`);
    return [];
  });
  if (problems.length > 0) throw new InputError(problems);
  return drops;
}

/** What to compare with, and how much worse the change may be. */
export interface BaselinePolicy {
  /** Drops the user allows, by input: each bounds how far its figure may fall below the baseline's (the backend declares which). */
  drops: { input: string; figure: string; limit: number }[];
  /** What a drop threshold decides when there is no baseline to compare with. */
  onMissing: Decision;
  /** The level of the interval of a difference, when both sides ran repeats (default 0.95), and what an interval across the limit decides. */
  confidence?: number;
  onInconclusive?: Exclude<Decision, 'pass'>;
  /** The level of the case-by-case regression test (`regression_alpha`); undefined: off. */
  regressionAlpha?: number;
}

/**
 * Compares the verdict with the base branch's and judges the drop thresholds. A record never
 * changes the current figures; a drop beyond its limit fails the gate; with no baseline, the
 * drop thresholds decide what `onMissing` says.
 */
export function applyBaseline(
  verdict: Verdict,
  found: BaselineRecord | undefined,
  foundMissing: string | undefined,
  policy: BaselinePolicy,
): Verdict {
  // A base verdict of something else (not `comparable`) measured something else: it is no baseline, and said so.
  const differs = found ? notComparable(verdict, found) : undefined;
  const record = differs ? undefined : found;
  const missing = differs ?? foundMissing;
  const deltas: Figures = {};
  if (record) {
    for (const [name, value] of Object.entries(verdict.figures)) {
      const base = record.figures[name];
      if (base !== undefined) deltas[name] = Number((value - base).toFixed(6));
    }
  }
  const newlyFailingTools = record
    ? verdict.topFailingTools
        .map((t) => t.tool)
        .filter((tool) => !record.failingTools.includes(tool))
    : [];
  const comparison: BaselineComparison = {
    ...(record ? { record } : { missing: missing ?? 'no baseline was looked for' }),
    deltas,
    newlyFailingTools,
    ...(differs ? { notComparable: true } : {}),
  };
  if (verdict.outcome !== 'evaluated' || policy.drops.length === 0)
    return { ...verdict, baseline: comparison };

  const drops: ThresholdResult[] = policy.drops.map((drop) => {
    const spec = figureSpec(drop.figure);
    const label = `${spec?.label ?? drop.figure} drop`;
    const current = verdict.figures[drop.figure];
    const base = record?.figures[drop.figure];
    const fall =
      current === undefined || base === undefined ? undefined : Number((base - current).toFixed(6));
    // With no baseline, nothing is compared and `on_missing_baseline` decides; a figure missing from a baseline that exists fails closed.
    const unmeasured = record
      ? undefined
      : {
          why: `no baseline: ${missing ?? 'none found'}`,
          decides: policy.onMissing,
          by: 'on_missing_baseline',
        };
    // Both sides ran repeats: the drop is judged on the interval of the difference, not on two point values.
    const interval = record
      ? dropInterval(record, verdict, drop.figure, policy.confidence ?? 0.95)
      : undefined;
    return checkThreshold(
      {
        input: drop.input,
        figure: `${drop.figure}${DROP_SUFFIX}`,
        comparator: '<=',
        limit: drop.limit,
        breaks: 'fail',
        ...(unmeasured ? { unmeasured } : {}),
        ...(interval ? { interval, onInconclusive: policy.onInconclusive ?? 'fail' } : {}),
      },
      fall === undefined ? {} : { [`${drop.figure}${DROP_SUFFIX}`]: fall },
      spec ? [{ ...spec, name: `${drop.figure}${DROP_SUFFIX}`, label }] : [],
    );
  });
  const broken = drops.filter((t) => !t.holds);
  const uncompared = drops.filter((t) => t.holds && t.unmeasured);
  const decision = broken.reduce<Decision>((acc, t) => worst(acc, t.breaks), verdict.decision);
  const said = [...broken, ...uncompared].map(describeThreshold);
  // Every drop held. Beside thresholds that all held, the drops are named as the table's rows
  // ("the pass rate drop holds too"), so the reason counts what the table shows; beside a
  // failure they only say they are not its cause.
  const labels = drops.map((t) => t.label.toLowerCase());
  const named =
    labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0];
  const held =
    verdict.decision === 'pass'
      ? `the ${named} ${labels.length === 1 ? 'holds' : 'hold'} too`
      : drops.length === 1
        ? 'the drop holds'
        : `all ${drops.length} drops hold`;
  const reason = `${verdict.reason.replace(/\.$/, '')}; against the base branch: ${said.length === 0 ? held : said.join('; ')}.`;
  return {
    ...verdict,
    decision,
    reason: truncate(reason, MAX_REASON_CHARS),
    thresholds: [...verdict.thresholds, ...drops],
    baseline: comparison,
  };
}

/**
 * Why `record` is not comparable with `verdict`, or undefined when it is: another backend, or a
 * different value of something both name as evaluated (a record that names nothing, written
 * before records did, is taken as comparable, as it always was).
 */
export function notComparable(
  verdict: Pick<Verdict, 'backend' | 'evaluated' | 'cases'>,
  record: Pick<BaselineRecord, 'backend' | 'evaluated' | 'headSha' | 'cases'>,
): string | undefined {
  const base = `the base verdict (${record.headSha.slice(0, 12)})`;
  if (record.backend !== verdict.backend)
    return `${base} is of ${record.backend}, not ${verdict.backend}: not comparable`;
  for (const [name, here] of Object.entries(verdict.evaluated ?? {})) {
    const there = record.evaluated?.[name];
    if (there !== undefined && there !== here) {
      const label = COMPARABLE_SPECS.find((spec) => spec.name === name)?.label ?? name;
      return `${base} is of another ${label} (${truncate(there, 40)} there, ${truncate(here, 40)} here): not comparable`;
    }
  }
  // Two evaluations that share no case evaluated two suites, whatever they are called.
  if (verdict.cases && noCaseInCommon(verdict.cases, record))
    return `${base} shares no case with this one: not comparable`;
  return undefined;
}

/** Welch's t interval of base − current for `figure`, when the base record and this verdict both hold two repeats or more. */
function dropInterval(
  record: BaselineRecord,
  verdict: Verdict,
  figure: string,
  confidence: number,
): Interval | undefined {
  const base = record.spread?.[figure];
  const values =
    verdict.repeats?.rows
      .filter((row) => row.outcome === 'evaluated')
      .map((row) => row.figures[figure]) ?? [];
  if (!base || values.length < 2 || values.some((v) => v === undefined)) return undefined;
  const current = meanAndSd(values as number[]);
  const [vb, vc] = [base.sd ** 2 / base.n, current.sd ** 2 / values.length];
  const se = Math.sqrt(vb + vc);
  const estimate = Number((base.mean - current.mean).toFixed(6));
  if (!(se > 0))
    return {
      estimate,
      low: estimate,
      high: estimate,
      confidence,
      n: base.n + values.length,
      method: 'difference of repeats, no spread',
    };
  const df = (vb + vc) ** 2 / (vb ** 2 / (base.n - 1) + vc ** 2 / (values.length - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    estimate,
    low: estimate - half,
    high: estimate + half,
    confidence,
    n: base.n + values.length,
    method: `Welch t interval of the difference (${base.n} base and ${values.length} current repeats)`,
  };
}

/**
 * Whether a gate without repeats passed on its own: evaluated, its backend said pass and every
 * threshold of its own held. A drop against the base branch is the comparison's, not the run's:
 * a missing baseline's `warn` does not make the one run a failed one.
 */
export function passedOnItsOwn(verdict: Verdict): boolean {
  if (verdict.outcome !== 'evaluated' || (verdict.backendDecision ?? verdict.decision) !== 'pass')
    return false;
  return verdict.thresholds.filter((t) => !t.figure.endsWith(DROP_SUFFIX)).every((t) => t.holds);
}

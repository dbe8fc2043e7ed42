import type { BaselineRecord } from './record.js';
import { applyBaseline, type BaselinePolicy, notComparable } from './compare.js';
import type { HistoryEntry, HistorySummary } from './history-types.js';
import { applyHistory, comparableRecords } from './history-summary.js';
import { casesBeside } from '../cases/beside.js';
import { applyCaseRegression } from './case-regression.js';
import type { Verdict } from '../verdict/verdict.js';

export { applyHistory, comparableRecords };
export type { HistoryEntry, HistorySummary };

/** The newest comparable verdict along the base branch past a base commit without one, and how many commits back it is. */
function walkBack(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  entries: readonly HistoryEntry[],
): { record: BaselineRecord; back: number } | undefined {
  for (const [back, entry] of entries.entries()) {
    if (back > 0 && entry.record && !entry.record.accepted && !notComparable(verdict, entry.record))
      return { record: entry.record, back };
  }
  return undefined;
}

/**
 * The median of the comparable verdicts as one baseline record (`baseline_from: median`), so that
 * one flaky base run cannot move the bar: each figure's median over the verdicts that hold it,
 * and the tools failing in more than half of them. Undefined with no comparable verdict.
 */
export function medianRecord(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  entries: readonly HistoryEntry[],
): (BaselineRecord & { medianOf: number }) | undefined {
  // An accepted verdict is no baseline, alone or in a median: it let a failure through, it sets no measure.
  const records = comparableRecords(verdict, entries).filter((record) => !record.accepted);
  const newest = records[0];
  if (!newest) return undefined;
  const figures: Record<string, number> = {};
  for (const name of new Set(records.flatMap((record) => Object.keys(record.figures)))) {
    const values = records
      .flatMap((record) => (record.figures[name] === undefined ? [] : [record.figures[name]]))
      .sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    figures[name] =
      values.length % 2 === 1
        ? (values[mid] as number)
        : Number((((values[mid - 1] as number) + (values[mid] as number)) / 2).toFixed(6));
  }
  const tools = new Set(records.flatMap((record) => record.failingTools));
  const failingTools = [...tools].filter(
    (tool) =>
      records.filter((record) => record.failingTools.includes(tool)).length * 2 > records.length,
  );
  const passes = records.filter((record) => record.decision === 'pass').length;
  // The spread of single verdicts says nothing of the median's: it is judged on point values.
  const rest: BaselineRecord = { ...newest };
  delete rest.spread;
  return {
    ...rest,
    figures,
    failingTools,
    decision: passes * 2 > records.length ? 'pass' : 'fail',
    medianOf: records.length,
  };
}

/** How a verdict is compared with its base branch: the drop thresholds, what they compare with (`baseline_from`), and how much history is read. */
export type BaseBranchPolicy = BaselinePolicy & { from: 'base' | 'median'; history: number };

/**
 * The base verdict a folder of reports gives (newest first): the newest that compares with
 * `verdict` (a report of something else in the same folder is walked past), or,
 * when none does or no verdict is given, the newest, which then says why it does not compare.
 */
export function newestAsBase(
  history: readonly HistoryEntry[] | undefined,
  verdict?: Pick<Verdict, 'backend' | 'evaluated'>,
): { record: BaselineRecord } | { missing: string } | undefined {
  const comparable = verdict
    ? history
        ?.map((entry) => newestComparable(verdict, entry))
        .find((entry) => entry.record && !notComparable(verdict, entry.record))
    : undefined;
  const newest = comparable ?? history?.[0];
  if (!newest) return undefined;
  return newest.record
    ? { record: newest.record }
    : { missing: newest.missing ?? 'the newest report holds no verdict of this gate' };
}

/**
 * Of one commit's verdicts (the newest, `record`, and the `older` ones), the newest that compares
 * with `verdict` as `record`; the newest when none does, which then says why it is not
 * comparable.
 */
export function newestComparable<
  T extends { record?: BaselineRecord; older?: readonly BaselineRecord[] },
>(verdict: Pick<Verdict, 'backend' | 'evaluated'>, found: T): T {
  if (!found.record || !notComparable(verdict, found.record)) return found;
  const comparable = found.older?.find((record) => !notComparable(verdict, record));
  return comparable ? { ...found, record: comparable } : found;
}

/**
 * A base commit whose verdict a maintainer accepted (`/gate accept`) has no baseline: the
 * acceptance let a failing verdict through, it did not make it a measure to hold later changes
 * to. In the history it still counts, as the failure it was.
 */
function notAccepted(found: NonNullable<BaseBranch['base']>): NonNullable<BaseBranch['base']> {
  const accepted = found.record?.accepted;
  if (!accepted || !found.record) return found;
  return {
    missing: `this gate's ${found.record.decision} verdict on the base commit ${found.record.headSha.slice(0, 12)} was accepted by ${accepted.by}, and an accepted verdict is no baseline`,
  };
}

/**
 * The record a verdict's drop thresholds are compared with, chosen as
 * {@link compareWithBaseBranch} chooses it: with `median`, the median of the comparable verdicts
 * in `history` (its ids the newest's); otherwise the base commit's newest comparable verdict or,
 * where the base commit has none, the newest comparable one along `history`. An accepted
 * verdict is never chosen (`accepted` then says by whom the base's was). Before the evaluation
 * (a backend that compares against the base's run, `baseline_run_id: auto`), `verdict` is what
 * the gate will evaluate.
 */
export function baselineRecordOf(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  base: BaseBranch['base'] | undefined,
  history: readonly HistoryEntry[] | undefined,
  from: 'base' | 'median',
): { record?: BaselineRecord; accepted?: string } {
  const entries = history?.map((entry) => newestComparable(verdict, entry));
  if (from === 'median') {
    const median = entries ? medianRecord(verdict, entries) : undefined;
    return median ? { record: median } : {};
  }
  const newest = base ? newestComparable(verdict, base) : undefined;
  const own = newest ? notAccepted(newest) : undefined;
  const record = own?.record ?? (entries ? walkBack(verdict, entries)?.record : undefined);
  return {
    ...(record && !notComparable(verdict, record) ? { record } : {}),
    ...(newest?.record?.accepted && own?.missing ? { accepted: own.missing } : {}),
  };
}

/** Where a verdict's comparison with its base branch comes from. */
export interface BaseBranch {
  /** The base commit's verdict, or why there is none; undefined when none was looked for. */
  base?: { record?: BaselineRecord; older?: readonly BaselineRecord[]; missing?: string };
  /** The verdicts along the base branch, newest first, how many were asked for, and what their source left out; undefined with `history: 0`. */
  history?: { entries: readonly HistoryEntry[]; asked: number; notes?: readonly string[] };
}

/**
 * The verdict judged against its base branch, either door's: the drop thresholds against the
 * base commit's verdict or, with `baseline_from: median`, against the median of the comparable
 * verdicts in the history; then the history itself beside it (new and known failures, the trend).
 */
export function compareWithBaseBranch(
  verdict: Verdict,
  given: BaseBranch,
  policy: BaseBranchPolicy,
): Verdict {
  // On each commit, the newest verdict that compares: a newer one of something else does not hide it.
  const found: BaseBranch = {
    ...(given.base ? { base: notAccepted(newestComparable(verdict, given.base)) } : {}),
    ...(given.history
      ? {
          history: {
            ...given.history,
            entries: given.history.entries.map((entry) => newestComparable(verdict, entry)),
          },
        }
      : {}),
  };
  let compared = verdict;
  const median =
    policy.from === 'median' && found.history
      ? medianRecord(verdict, found.history.entries)
      : undefined;
  if (median) {
    const { medianOf, ...record } = median;
    compared = applyBaseline(verdict, record, undefined, policy);
    if (compared.baseline) compared = { ...compared, baseline: { ...compared.baseline, medianOf } };
  } else if (found.base || policy.drops.length > 0) {
    // The base commit has no verdict (the gate did not run there): the newest comparable one along the base branch stands in.
    const walked =
      policy.from === 'base' && !found.base?.record && found.history
        ? walkBack(verdict, found.history.entries)
        : undefined;
    const missing =
      policy.from === 'median'
        ? "no comparable verdict in the base branch's history to take the median of"
        : found.base?.missing;
    compared = applyBaseline(
      verdict,
      policy.from === 'median' ? undefined : (found.base?.record ?? walked?.record),
      missing ?? 'no baseline was looked for',
      policy,
    );
    if (walked && compared.baseline?.record)
      compared = { ...compared, baseline: { ...compared.baseline, walkedBack: walked.back } };
  }
  // A history that could not be read at all (the log says why) adds nothing to the report.
  const withHistory =
    found.history && (found.history.entries.length > 0 || (found.history.notes?.length ?? 0) > 0)
      ? applyHistory(compared, found.history.entries, found.history.asked, found.history.notes)
      : compared;
  // Each failing case beside the base commit's verdict and the comparable ones along the branch, and judged against them.
  if (!withHistory.cases) return withHistory;
  const base = withHistory.baseline?.medianOf ? undefined : withHistory.baseline?.record;
  const along = comparableRecords(verdict, found.history?.entries ?? []);
  return applyCaseRegression(
    { ...withHistory, cases: casesBeside(withHistory.cases, base, along) },
    base,
    along,
    policy.regressionAlpha,
  );
}

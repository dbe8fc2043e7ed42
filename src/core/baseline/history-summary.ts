import type { BaselineRecord } from './record.js';
import { notComparable } from './compare.js';
import { BACKENDS } from '../backends/registry.js';
import { COMPARABLE_SPECS } from '../backends/vocabulary.js';
import type { HistoryEntry, HistorySummary } from './history-types.js';
import type { Verdict } from '../verdict/verdict.js';

/* The base branch's history beside a verdict: what compares, what failed there, the trend. */

/** What the backends name as evaluated, as a reviewer reads it: their `comparable` labels, joined. */
function comparableLabels(): string {
  const labels = COMPARABLE_SPECS.map((spec) => spec.label);
  return labels.length < 2
    ? (labels[0] ?? 'evaluation')
    : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

/**
 * The verdict beside its base branch's history (`entries`, newest first, as many as were asked
 * for or fewer): each failing tool marked new (it never failed there) or known (failed in m of
 * the N comparable verdicts, and when it last passed), and the trend of the backend's headline
 * figure. Records of something else (not `comparable`, as its backend declares) are left out,
 * and said once.
 */
export function applyHistory(
  verdict: Verdict,
  entries: readonly HistoryEntry[],
  asked: number,
  sourceNotes: readonly string[] = [],
): Verdict {
  const comparable = comparableRecords(verdict, entries);
  // What the source itself left out (a folder's future-dated reports) comes first: it says why fewer were read.
  const notes: string[] = [...sourceNotes];
  const unread = entries.filter((entry) => !entry.record).length;
  const foreign = entries.filter((entry) => entry.record).length - comparable.length;
  if (entries.length < asked)
    notes.push(`the base branch holds ${entries.length} of the ${asked} commits asked for`);
  if (unread > 0)
    notes.push(
      `${unread} of the ${entries.length} commits read ${unread === 1 ? 'has' : 'have'} no verdict of this gate`,
    );
  if (foreign > 0)
    notes.push(
      `${foreign} ${foreign === 1 ? 'is' : 'are'} of something else (another ${comparableLabels()}) and not compared`,
    );
  const figure = BACKENDS.find(
    (backend) => backend.displayName === verdict.backend,
  )?.headlineFigure;
  const trend = figure
    ? comparable
        .filter((record) => record.figures[figure] !== undefined)
        .map((record) => ({
          sha: record.headSha,
          value: record.figures[figure] as number,
          at: record.at,
        }))
        .reverse()
    : [];
  const tools = verdict.topFailingTools.map(({ tool }) => ({
    tool,
    ...along(tool, comparable, (record) => record.failingTools),
  }));
  // Only verdicts whose diff was read say which items regressed.
  const diffed = comparable.filter((record) => record.regressedItems !== undefined);
  const items = (verdict.errorBars?.regressed ?? []).map(({ item }) => ({
    item,
    ...along(item, diffed, (record) => record.regressedItems ?? []),
  }));
  const newFirst = <T extends { failedIn: number }>(list: T[], of: number) =>
    of === 0
      ? []
      : [...list.filter((t) => t.failedIn === 0), ...list.filter((t) => t.failedIn > 0)];
  const summary: HistorySummary = {
    asked,
    read: entries.length - unread,
    comparable: comparable.length,
    ...(figure && trend.length > 0 ? { trend: { figure, values: trend } } : {}),
    // New failures first: they are the change's; known ones were there before it. With nothing to compare, nothing is new or known.
    tools: newFirst(tools, comparable.length),
    items: newFirst(items, diffed.length),
    notes,
  };
  return { ...verdict, history: summary };
}

/** In how many of `records` (newest first) `name` failed, and the newest in which it did not. */
function along(
  name: string,
  records: readonly BaselineRecord[],
  failing: (record: BaselineRecord) => readonly string[],
): { failedIn: number; of: number; lastPassed?: { sha: string; at: string } } {
  const failedIn = records.filter((record) => failing(record).includes(name)).length;
  const passed = records.find((record) => !failing(record).includes(name));
  return {
    failedIn,
    of: records.length,
    ...(failedIn > 0 && passed ? { lastPassed: { sha: passed.headSha, at: passed.at } } : {}),
  };
}

/** The records of `entries` that compare with `verdict`, newest first. */
export function comparableRecords(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  entries: readonly HistoryEntry[],
): BaselineRecord[] {
  return entries.flatMap((entry) =>
    entry.record && !notComparable(verdict, entry.record) ? [entry.record] : [],
  );
}

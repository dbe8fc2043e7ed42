import type { BaselineRecord } from '../baseline/record.js';
import type { HistoryEntry } from '../baseline/history-types.js';
import { notComparable } from '../baseline/compare.js';
import { newestComparable } from '../baseline/history.js';
import { truncate } from '../support/text.js';
import { worst } from '../verdict/decision.js';
import { MAX_REASON_CHARS, type Verdict } from '../verdict/verdict.js';
import type { RemovedEntry } from './types.js';

/** The base commit's verdict as a look-up found it (a record, older ones, or why none). */
export interface FoundRecords {
  record?: BaselineRecord;
  older?: readonly BaselineRecord[];
  missing?: string;
}

/**
 * One entry's own record in a record of many gates, as a record of its own: the step's
 * acceptance (`/gate accept` of the one check) is the entry's too, so that it is no baseline.
 */
export function entryRecord(record: BaselineRecord, name: string): BaselineRecord | undefined {
  // Only the record's own entries: a name like `constructor` must not read an object's prototype.
  const own = record.gates && Object.hasOwn(record.gates, name) ? record.gates[name] : undefined;
  if (!own) return undefined;
  return { ...own, ...(record.accepted ? { accepted: record.accepted } : {}) };
}

/**
 * The base commit's verdict for one entry: its own record in the newest of the step's records
 * that holds one; where none does (the entry did not run there), why, so that the history is
 * walked back past that commit for it.
 */
export function entryBase(found: FoundRecords | undefined, name: string): FoundRecords | undefined {
  if (!found?.record) return found;
  const records = [found.record, ...(found.older ?? [])].flatMap((record) => {
    const own = entryRecord(record, name);
    return own ? [own] : [];
  });
  const [newest, ...older] = records;
  if (newest) return { record: newest, ...(older.length > 0 ? { older } : {}) };
  return {
    missing: `gate \`${name}\` did not run on the base commit ${found.record.headSha.slice(0, 12)}`,
  };
}

/** The base branch's history for one entry: on each commit, its own record, or why there is none. */
export function entryHistory(entries: readonly HistoryEntry[], name: string): HistoryEntry[] {
  return entries.map((entry) => {
    const found = entryBase(entry, name);
    return {
      sha: entry.sha,
      ...(found?.record
        ? { record: found.record, ...(found.older ? { older: [...found.older] } : {}) }
        : { missing: found?.missing ?? entry.missing ?? `gate \`${name}\` did not run there` }),
    };
  });
}

/**
 * The entries the base commit's verdict holds (its newest record, then older ones on that
 * commit) that the change's config file does not: removed or renamed by the change, each with
 * the base commit's last verdict of it, in that record's order. None when nothing was read.
 */
export function removedEntries(
  found: FoundRecords | undefined,
  names: readonly string[],
): RemovedEntry[] {
  if (!found?.record) return [];
  const kept = new Set(names);
  const removed = new Map<string, RemovedEntry>();
  for (const record of [found.record, ...(found.older ?? [])])
    for (const name of Object.keys(record.gates ?? {})) {
      const own = kept.has(name) || removed.has(name) ? undefined : entryRecord(record, name);
      if (own) removed.set(name, { name, decision: own.decision, sha: own.headSha });
    }
  return [...removed.values()];
}

/**
 * Why the base commit's verdict of an entry is of something else than its verdict here (its
 * campaign, suite or backend changed in the change), or undefined: when it is comparable, or
 * when the base commit holds none of it (a new entry).
 */
export function changedEvaluation(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  own: FoundRecords | undefined,
): string | undefined {
  if (!own?.record) return undefined;
  const base = newestComparable(verdict, own).record as BaselineRecord;
  return notComparable(verdict, base);
}

/**
 * An entry's verdict when main's verdict of it is of something else (`why`): nothing compared
 * the change with main's, so it warns at best, said in its reason. The file comes with the
 * change, so no key of it (`on_missing_baseline: pass`) can make this a silent success.
 */
export function warnedAsChanged(verdict: Verdict, why: string): Verdict {
  const said = why.replace(/: not comparable$/, '');
  // A drop threshold may have said it already (on_missing_baseline decided it): not twice.
  const clause = verdict.reason.includes(said)
    ? 'what it evaluates changed, so it warns at best'
    : `what it evaluates changed: ${said}, so nothing compares it with the base branch's and it warns at best`;
  return {
    ...verdict,
    decision: worst(verdict.decision, 'warn'),
    reason: truncate(`${verdict.reason.replace(/\.$/, '')}; ${clause}.`, MAX_REASON_CHARS),
  };
}

import type { BaselineRecord } from '../baseline/record.js';
import type { HistoryEntry } from '../baseline/history-types.js';

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

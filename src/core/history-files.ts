import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readReport } from './aggregate/read-report.js';
import { recordOfReport } from './baseline.js';
import type { HistoryEntry } from './history-types.js';

/** Report files read from a history folder at most: a folder of artifacts can grow without bound. */
const MAX_HISTORY_FILES = 200;

/**
 * The history from a folder of earlier report files (the command line's `--history-dir`: a
 * default branch's pipeline artifacts), newest first by when each was written, at most `count`.
 * A file that cannot be read, is of another check, or holds no evaluated verdict of a commit is
 * an entry without a record, which the history counts as missing and says once.
 */
export async function historyFromReports(dir: string, checkName: string, count: number): Promise<HistoryEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort().slice(0, MAX_HISTORY_FILES);
  } catch (error) {
    return [{ sha: dir, missing: `the history folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` }];
  }
  const entries = await Promise.all(
    names.map(async (name): Promise<HistoryEntry & { at: string }> => {
      const report = await readReport(join(dir, name));
      const record = typeof report === 'string' ? report : recordOfReport(report, checkName);
      return typeof record === 'string' ? { sha: name, missing: record, at: '' } : { sha: record.headSha, record, at: record.at };
    }),
  );
  return entries
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, count)
    .map((entry): HistoryEntry => (entry.record ? { sha: entry.sha, record: entry.record } : { sha: entry.sha, missing: entry.missing ?? 'no verdict' }));
}

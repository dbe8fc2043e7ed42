import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readReport } from '../report-file/read.js';
import { recordOfReport } from './from-report.js';
import type { HistoryEntry } from './history-types.js';
import { truncate } from '../support/text.js';

/**
 * Report files read from a history folder at most: a folder of artifacts can grow without bound.
 * Where it holds more, the most recently modified are read, and the rest is said.
 */
export const MAX_HISTORY_FILES = 1000;
/** Files read at once. */
const READ_CONCURRENCY = 16;
/**
 * How far past this machine's clock a report may be dated and still be trusted: the clocks of
 * the runners that wrote them differ by seconds, not by days. A report dated later than this
 * would stay the newest, and so the baseline, for ever.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The history read from a folder: its entries, newest first, and what was left out, said once. */
export interface HistoryFromFiles {
  entries: HistoryEntry[];
  notes: string[];
}

/**
 * Why `--history-dir` cannot be read, in the command line's words, or undefined when it can: a
 * folder that is missing, is not a folder, or cannot be listed is bad input (a history silently
 * not read is a baseline silently not compared with), said before any call.
 */
export async function historyDirProblem(dir: string): Promise<string | undefined> {
  if (!dir.trim())
    return 'Flag --history-dir names no folder; give the folder of earlier --report files, or leave the flag out';
  const why = await stat(dir)
    .then(
      async (found) =>
        found.isDirectory() ? readdir(dir).then(() => undefined) : 'is not a folder',
      (error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code ?? 'error'})`,
    )
    .catch((error: NodeJS.ErrnoException) => `cannot be listed (${error.code ?? 'error'})`);
  return why
    ? `Flag --history-dir names ${JSON.stringify(truncate(dir, 200))}, which ${why}; give the folder of earlier --report files (e.g. the default branch's pipeline artifacts), or leave the flag out`
    : undefined;
}

/**
 * The history from a folder of earlier report files (the command line's `--history-dir`: a
 * default branch's pipeline artifacts), newest first by the date each record says it was
 * written, at most `count`. Every report is read before any is dropped, so the newest are kept
 * whatever the files are named. A report dated after now (beyond a few minutes of clock skew) is
 * left out, said: its date cannot be trusted, and it would be the newest for ever. A file that
 * cannot be read, is of another check, or holds no evaluated verdict of a commit is an entry
 * without a record, which the history counts as missing and says once.
 */
export async function historyFromReports(
  dir: string,
  checkName: string,
  count: number,
  now: Date = new Date(),
): Promise<HistoryFromFiles> {
  const notes: string[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    return {
      entries: [
        {
          sha: dir,
          missing: `the history folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        },
      ],
      notes,
    };
  }
  if (names.length > MAX_HISTORY_FILES) {
    // Which to read can only be told from the files themselves: the most recently modified.
    const modified = await Promise.all(
      names.map(async (name) => ({
        name,
        at: await stat(join(dir, name)).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      })),
    );
    names = modified
      .sort((a, b) => b.at - a.at || b.name.localeCompare(a.name))
      .slice(0, MAX_HISTORY_FILES)
      .map((file) => file.name);
    notes.push(
      `the folder holds ${modified.length} report files: the ${MAX_HISTORY_FILES} modified last were read, ${modified.length - MAX_HISTORY_FILES} older ones were not`,
    );
  }
  const read: (HistoryEntry & { at: number; name: string })[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      const name = names[index] as string;
      const report = await readReport(join(dir, name));
      const record = typeof report === 'string' ? report : recordOfReport(report, checkName);
      // An entry without a record sorts last: it has no date to be trusted by.
      read[index] =
        typeof record === 'string'
          ? { sha: name, missing: record, at: Number.NEGATIVE_INFINITY, name }
          : { sha: record.headSha, record, at: Date.parse(record.at), name };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  const latest = now.getTime() + CLOCK_SKEW_MS;
  const future = read.filter((entry) => entry.record && !(entry.at <= latest));
  if (future.length > 0) {
    const newest = future.reduce((a, b) => (b.at > a.at || Number.isNaN(a.at) ? b : a));
    const dated = Number.isNaN(newest.at)
      ? 'with no valid date'
      : `dated after now (${newest.record?.at ?? ''})`;
    notes.push(
      `${future.length === 1 ? '1 report is' : `${future.length} reports are`} ${dated}, e.g. ${truncate(newest.name, 60)}: a date that cannot be trusted is never the newest, so ${future.length === 1 ? 'it is' : 'they are'} left out`,
    );
  }
  const entries = read
    .filter((entry) => !future.includes(entry))
    // Newest first by the record's own date; the file name breaks a tie, so the order never depends on the disk's.
    .sort((a, b) => b.at - a.at || b.name.localeCompare(a.name))
    .slice(0, count)
    .map((entry): HistoryEntry =>
      entry.record
        ? { sha: entry.sha, record: entry.record }
        : { sha: entry.sha, missing: entry.missing ?? 'no verdict' },
    );
  return { entries, notes };
}

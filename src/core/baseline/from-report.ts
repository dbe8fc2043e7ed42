import type { BaselineRecord } from './record.js';
import { decodeRecord, encodeRecord } from './encode.js';
import { type ReadReport, readReport } from '../report-file/read.js';
import { truncate } from '../support/text.js';
import type { Verdict } from '../verdict/verdict.js';

/** What a report without a commit is missing, and how to write one that has it. */
const NO_COMMIT_FIX =
  'write it with --head-sha / GATE_HEAD_SHA set to the commit it evaluated (a CI sets that from its own variables, e.g. CI_COMMIT_SHA, GIT_COMMIT)';

/**
 * The report file `--baseline-report` names, read and checked before any call, or why it cannot
 * be the baseline, in the command line's words. A file the user names that is missing, cannot be
 * read, is not a report of the gate or names no commit is bad input: a typo silently taken as "no
 * baseline" would let a drop through. What only the verdict can tell (another backend, check or
 * evaluation) is said when it is compared.
 */
export async function readBaselineReport(path: string): Promise<ReadReport | string> {
  const fix = "give the default branch's --report file, or leave the flag out";
  if (!path.trim()) return `Flag --baseline-report names no file; ${fix}`;
  const named = `Flag --baseline-report names ${JSON.stringify(truncate(path, 200))}`;
  const report = await readReport(path);
  if (typeof report === 'string') {
    const missing = report.endsWith('cannot be read (ENOENT)');
    // A report's own sentence may end on the fix for an aggregate step; the baseline's fix is ours.
    const why = report.replace(/; aggregate reports of the same release of the gate$/, '');
    return `${named}, which ${missing ? 'does not exist' : `is no report of the gate: ${why}`}; ${fix}`;
  }
  if (!report.headSha || !/^[0-9a-f]{40}$/i.test(report.headSha))
    return `${named}, a report that names no commit: a baseline is the verdict of a commit, shown as such beside each delta; ${NO_COMMIT_FIX}, or leave the flag out`;
  return report;
}

/**
 * A baseline handed over as a report file (the command line's `--baseline-report`, e.g. the last
 * main pipeline's artifact), read and checked by {@link readBaselineReport}: its record, or why
 * there is none. A report of another backend or check, or of a gate that could not evaluate, is
 * "no baseline", said plainly, and `on_missing_baseline` decides.
 */
export function baselineFromReport(
  report: ReadReport,
  verdict: Verdict,
  checkName: string,
): { record?: BaselineRecord; missing?: string } {
  // Another backend is said here; something else of the same backend when it is compared.
  if (report.backend !== verdict.backend)
    return {
      missing: `the baseline report ${report.file} is of ${report.backend}, not ${verdict.backend}: not comparable`,
    };
  const record = recordOfReport(report, checkName);
  return typeof record === 'string' ? { missing: `the baseline ${record}` } : { record };
}

/**
 * A report file read back (`--baseline-report`, `--history-dir`) as the record a check would
 * hold, or why it is none: another check, no evaluated verdict, no commit named (with the fix).
 */
export function recordOfReport(report: ReadReport, checkName: string): BaselineRecord | string {
  const why =
    report.checkName !== checkName
      ? `is for check "${report.checkName}", not "${checkName}"`
      : report.outcome !== 'evaluated'
        ? 'holds no evaluated verdict (the gate that wrote it could not evaluate)'
        : !report.headSha || !/^[0-9a-f]{40}$/i.test(report.headSha)
          ? `names no commit (${NO_COMMIT_FIX})`
          : undefined;
  if (why || !report.headSha) return `report ${report.file} ${why ?? 'names no commit'}`;
  // Written when the report was (reports of older releases do not say: the epoch, the oldest).
  const record = decodeRecord(
    encodeRecord(report, checkName, report.headSha, new Date(report.writtenAt ?? 0)),
  );
  return typeof record === 'string' ? `report ${report.file}: ${record}` : record;
}

import type { BaselineRecord } from './record.js';
import { decodeRecord, encodeRecord } from './encode.js';
import { type ReadReport, readReport } from '../report-file/read.js';
import type { Verdict } from '../verdict/verdict.js';

/**
 * A baseline handed over as a report file (the command line's `--baseline-report`, e.g. the last
 * main pipeline's artifact): its record, or why there is none. A file that is missing,
 * unreadable, altered, of another backend or check, or of a gate that could not evaluate is "no
 * baseline", said plainly, and `on_missing_baseline` decides.
 */
export async function baselineFromReport(
  path: string,
  verdict: Verdict,
  checkName: string,
): Promise<{ record?: BaselineRecord; missing?: string }> {
  const report = await readReport(path);
  if (typeof report === 'string') return { missing: `the baseline ${report}` };
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
 * hold, or why it is none: another check, no evaluated verdict, no commit named.
 */
export function recordOfReport(report: ReadReport, checkName: string): BaselineRecord | string {
  const why =
    report.checkName !== checkName
      ? `is for check "${report.checkName}", not "${checkName}"`
      : report.outcome !== 'evaluated'
        ? 'holds no evaluated verdict (the gate that wrote it could not evaluate)'
        : !report.headSha || !/^[0-9a-f]{40}$/i.test(report.headSha)
          ? 'names no commit'
          : undefined;
  if (why || !report.headSha) return `report ${report.file} ${why ?? 'names no commit'}`;
  // Written when the report was (reports of older releases do not say: the epoch, the oldest).
  const record = decodeRecord(
    encodeRecord(report, checkName, report.headSha, new Date(report.writtenAt ?? 0)),
  );
  return typeof record === 'string' ? `report ${report.file}: ${record}` : record;
}

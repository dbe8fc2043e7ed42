import type { Verdict } from '../verdict/verdict.js';

/** The version of the report file's format; it changes when a field changes meaning or goes away. */
export const REPORT_VERSION = 1;

/** What a report is about: the change it judged, under which check name, and for which shard of a matrix. */
export interface ReportSubject {
  checkName: string;
  /** `owner/name`. */
  repository: string;
  /** The commit judged. */
  headSha?: string;
  /** The matrix leg's name, when the gate ran as one shard of an aggregate. */
  shard?: string;
}

/**
 * The report file (the action's `report_file`, the command line's `--report`): the whole
 * normalized verdict as JSON, with the format's version and its subject first. Documented in
 * the README; the aggregate step reads it back.
 */
export function reportJson(verdict: Verdict, subject: ReportSubject, now = new Date()): string {
  // When it was written: a folder of earlier reports (`--history-dir`) is ordered by it.
  return `${JSON.stringify({ version: REPORT_VERSION, ...subject, writtenAt: now.toISOString(), ...verdict }, null, 2)}\n`;
}

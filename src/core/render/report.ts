import type { Verdict } from '../verdict.js';

/** The version of the report file's format; it changes when a field changes meaning or goes away. */
export const REPORT_VERSION = 1;

/**
 * The report file (the action's `report_file`, the command line's `--report`): the whole
 * normalized verdict as JSON, with the format's version first. Documented in the README.
 */
export function reportJson(verdict: Verdict): string {
  return `${JSON.stringify({ version: REPORT_VERSION, ...verdict }, null, 2)}\n`;
}

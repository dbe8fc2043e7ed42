import type { Mode } from '../inputs/common.js';
import type { Verdict } from '../verdict.js';
import { renderVerdict } from './markdown.js';
import { setOutputs, writeReportFile } from './outputs.js';
import { SUMMARY_MAX_CHARS, writeJobSummary } from './summary.js';

/** Where the verdict goes on the runner: outputs, the report file and the job summary. */
export async function reportOnRunner(verdict: Verdict, heading: { title: string; mode: Mode }): Promise<void> {
  const reportFile = await writeReportFile(verdict);
  setOutputs(verdict, reportFile);
  await writeJobSummary(renderVerdict(verdict, { ...heading, maxTools: 50, maxChars: SUMMARY_MAX_CHARS }));
}

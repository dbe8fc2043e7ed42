import type { GatePlan } from '../gate.js';
import type { Verdict } from '../verdict.js';
import { renderVerdict } from './markdown.js';
import { setOutputs, writeReportFile } from './outputs.js';
import { SUMMARY_MAX_CHARS, writeJobSummary } from './summary.js';

/** Where the verdict goes on the runner: outputs, the report file and the job summary. */
export async function reportOnRunner(verdict: Verdict, plan: Pick<GatePlan, 'inputs'> | undefined, title: string): Promise<void> {
  const reportFile = await writeReportFile(verdict);
  setOutputs(verdict, reportFile);
  await writeJobSummary(renderVerdict(verdict, { title, mode: plan?.inputs.mode ?? 'hard', maxTools: 50, maxChars: SUMMARY_MAX_CHARS }));
}

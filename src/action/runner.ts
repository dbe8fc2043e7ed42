import * as core from '@actions/core';
import type { GateLog } from '../core/support/log.js';
import { messageOf } from '../core/support/errors.js';
import type { Mode } from '../core/inputs/common.js';
import type { ReportSubject } from '../core/report-file/write.js';
import type { Verdict } from '../core/verdict/verdict.js';
import { renderVerdict } from '../core/render/markdown.js';
import { setOutputs, writeReportFile } from './outputs.js';
import { SUMMARY_MAX_CHARS, writeJobSummary } from './summary.js';

/**
 * Where the verdict goes on the runner: the outputs first (they are what later steps and the
 * step's outcome rest on), then the report file and the job summary. A file that cannot be
 * written (an unusable `RUNNER_TEMP`) is a warning: the outputs, the step and the check still
 * say the same verdict.
 */
export async function reportOnRunner(
  verdict: Verdict,
  subject: ReportSubject,
  mode: Mode,
  log: GateLog,
): Promise<void> {
  setOutputs(verdict);
  let reportFile = '';
  try {
    reportFile = await writeReportFile(verdict, subject);
  } catch (error) {
    log.warning(
      `Could not write the report file (${messageOf(error)}); the \`report_file\` output is empty, the other outputs hold the verdict.`,
    );
  }
  core.setOutput('report_file', reportFile);
  try {
    await writeJobSummary(
      renderVerdict(verdict, {
        title: subject.shard ? `${subject.checkName} (shard ${subject.shard})` : subject.checkName,
        mode,
        maxTools: 50,
        maxChars: SUMMARY_MAX_CHARS,
        // Job summaries render Mermaid, as comments do.
        trend: 'mermaid',
      }),
    );
  } catch (error) {
    log.warning(
      `Could not write the job summary (${messageOf(error)}); the outputs and the check hold the verdict.`,
    );
  }
}

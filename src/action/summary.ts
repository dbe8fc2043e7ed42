import * as core from '@actions/core';

/** GitHub's limit on one step's job summary is 1 MiB; stay well under it. */
export const SUMMARY_MAX_CHARS = 512 * 1024;

/** Appends the rendered verdict to the job summary; a runner without one is not an error. */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

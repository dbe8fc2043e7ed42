import * as core from '@actions/core';
import { context } from '@actions/github';
import { concludeStep } from './conclude.js';
import { messageOf } from './errors.js';
import { allInputNames, planGate, runGate } from './gate.js';
import { COMMON_INPUT_NAMES } from './inputs/common.js';
import { readRawInputs } from './inputs/read.js';
import { actionsLog } from './log.js';
import { startGitHubReport } from './reporters/github.js';
import { reportOnRunner } from './reporters/index.js';
import { redactSecrets } from './secrets.js';
import { failedVerdict } from './verdict.js';

/** The action: inputs → backend → verdict → reporters → the step's outcome. */
export async function run(): Promise<void> {
  const raw = readRawInputs(allInputNames(COMMON_INPUT_NAMES));
  const plan = await planGate(raw, context, process.env).catch((error: unknown) => error as Error);
  if (plan instanceof Error) {
    // Bad input fails the step in every mode, before any network call: a misconfigured gate must be seen.
    await reportOnRunner(failedVerdict(raw.backend || 'gate', messageOf(plan), {}, 0), { title: 'Reliability gate', mode: 'hard' });
    core.setFailed(messageOf(plan));
    return;
  }
  // The check starts, and the sticky comment is looked up, while the backend works.
  const github = startGitHubReport(plan, actionsLog);
  const verdict = redactSecrets(await runGate(plan, actionsLog), [raw.token, raw.github_token]);
  try {
    await reportOnRunner(verdict, { title: plan.inputs.checkName, mode: plan.inputs.mode });
  } finally {
    // The check is completed even if the runner's files could not be written.
    await (await github).finish(verdict);
  }
  concludeStep(verdict, plan.inputs.mode);
}

import * as core from '@actions/core';
import { context } from '@actions/github';
import { listenForCancel } from '../core/cancel.js';
import { concludeStep } from './conclude.js';
import { Deadline } from '../core/deadline.js';
import { messageOf } from '../core/errors.js';
import { allInputNames, planGate, runGate } from '../core/gate.js';
import { githubGraceMs } from './github/octokit.js';
import { COMMON_INPUT_NAMES } from '../core/inputs/common.js';
import { readRawInputs } from './inputs.js';
import { machineAgents } from '../runtime/agents.js';
import { actionsLog } from './log.js';
import { startGitHubReport } from './github/report.js';
import { reportOnRunner } from './runner.js';
import { redactSecrets } from '../core/secrets.js';
import { failedVerdict } from '../core/verdict.js';

/** After the runner's cancel signal: seconds to report the cancelled verdict, and the last resort before its SIGKILL. */
const CANCEL_REPORT_MS = 4_000;
const CANCEL_HARD_EXIT_MS = 6_000;

/** The action: inputs → backend → verdict → reporters → the step's outcome. */
export async function run(): Promise<void> {
  const raw = readRawInputs(allInputNames(COMMON_INPUT_NAMES));
  const secrets = [raw.token, raw.github_token];
  const log = actionsLog(secrets);
  const plan = await planGate(raw, context, process.env).catch((error: unknown) => error as Error);
  if (plan instanceof Error) {
    // Bad input fails the step in every mode, before any network call: a misconfigured gate must be seen.
    const verdict = redactSecrets(failedVerdict(raw.backend || 'gate', messageOf(plan), {}, 0), secrets);
    await reportOnRunner(verdict, { title: 'Reliability gate', mode: 'hard' }, log);
    core.setFailed(verdict.reason);
    return;
  }
  // Every GitHub call shares one budget; a cancelled job cuts it to seconds.
  const githubBudget = new Deadline(plan.inputs.timeoutMs + githubGraceMs(plan.inputs.timeoutMs));
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  void cancel.signalled.then(() => githubBudget.shorten(CANCEL_REPORT_MS));
  // The check starts, and the sticky comment is looked up, while the backend works.
  const github = startGitHubReport(plan, log, githubBudget);
  const verdict = redactSecrets(await runGate(plan, { log, cancelled: cancel.signalled, agents: machineAgents() }), secrets);
  try {
    await reportOnRunner(verdict, { title: plan.inputs.checkName, mode: plan.inputs.mode }, log);
  } finally {
    // The check is completed even if the runner's files could not be written.
    await (await github).finish(verdict);
  }
  concludeStep(verdict, plan.inputs.mode);
}

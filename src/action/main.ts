import * as core from '@actions/core';
import { runPipeline } from '../core/run/pipeline.js';
import { CANCEL_HARD_EXIT_MS } from '../core/run/timing.js';
import { listenForCancel } from '../core/support/cancel.js';
import { messageOf } from '../core/support/errors.js';
import { defuseCommands } from '../core/support/text.js';
import { runCommandStep } from './accept.js';
import { concludeStep } from './conclude.js';
import { actionDoor, refuseOnRunner } from './door.js';
import { redactText } from '../core/support/secrets.js';
import { readRawInputs } from './inputs.js';
import { actionsLog } from './log.js';
import { planAction } from './plan.js';

/**
 * The action: inputs → the core's run (reporters, backend, base branch) → outputs → the step's
 * outcome; on `issue_comment`, a maintainer's command on a verdict already made.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { raw, undeclared } = readRawInputs(env);
  const secrets = [raw.token, raw.github_token];
  const log = actionsLog(secrets);
  // Before any check is begun: a cancel that came first would end the process at once, the check left in progress.
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  // A comment is no change to gate: it may be a maintainer's `/gate accept` of a verdict already made.
  if (env.GITHUB_EVENT_NAME === 'issue_comment')
    return runCommandStep(raw, undeclared, env, log, cancel.signalled);
  const plan = await planAction(raw, env, undeclared).catch((error: unknown) => error as Error);
  if (plan instanceof Error) {
    await refuseOnRunner(raw, env, messageOf(plan), log, secrets);
    // The log says every problem; the verdict's reason (the check, the comment) is bounded.
    core.setFailed(defuseCommands(redactText(messageOf(plan), secrets)));
    return;
  }
  const verdict = await runPipeline(
    plan.run,
    actionDoor(plan, env, log, secrets, cancel.signalled),
  );
  concludeStep(verdict, plan.run.mode);
}

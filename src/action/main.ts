import * as core from '@actions/core';
import { listenForCancel } from '../core/cancel.js';
import { Deadline } from '../core/deadline.js';
import { messageOf } from '../core/errors.js';
import { aggregateReports } from '../core/aggregate/index.js';
import { compareWithBaseBranch } from '../core/history.js';
import { trendLogLine } from '../core/render/trend.js';
import { comparableRunId, runGate } from '../core/gate.js';
import { redactSecrets } from '../core/secrets.js';
import { defuseCommands } from '../core/text.js';
import { failedVerdict } from '../core/verdict.js';
import { machineAgents } from '../runtime/agents.js';
import { concludeStep } from './conclude.js';
import { startGitHubReport } from '../report/github/report.js';
import { readRawInputs } from './inputs.js';
import { actionsLog } from './log.js';
import { inputErrorPlace, planAction } from './plan.js';
import { reportOnRunner } from './runner.js';

/** After the runner's cancel signal: seconds to report the cancelled verdict, and the last resort before its SIGKILL. */
const CANCEL_REPORT_MS = 4_000;
const CANCEL_HARD_EXIT_MS = 6_000;
/** How long GitHub reporting may go on after the gate's `timeout` (5 to 10 s). */
const githubGraceMs = (timeoutMs: number) => Math.min(10_000, Math.max(5_000, timeoutMs));

/** The action: inputs → backend → verdict → reporters → the step's outcome. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { raw, undeclared } = readRawInputs(env);
  const secrets = [raw.token, raw.github_token];
  const log = actionsLog(secrets);
  const plan = await planAction(raw, env, undeclared).catch((error: unknown) => error as Error);
  if (plan instanceof Error) {
    // Bad input fails the step in every mode, before any backend call: a misconfigured gate must be seen.
    const verdict = redactSecrets(
      failedVerdict(raw.backend || 'gate', messageOf(plan), {}, 0),
      secrets,
    );
    const place = inputErrorPlace(raw, env);
    await reportOnRunner(
      verdict,
      { checkName: place.checkName, repository: place.repository },
      'hard',
      log,
    );
    // The required check is completed as failed, saying what to fix, rather than left waiting forever.
    const github = await startGitHubReport(place, log, new Deadline(githubGraceMs(0)));
    await github.finish(verdict);
    core.setFailed(defuseCommands(verdict.reason));
    return;
  }
  const { timeoutMs } = plan;
  // Every GitHub call shares one budget; a cancelled job cuts it to seconds.
  const githubBudget = new Deadline(timeoutMs + githubGraceMs(timeoutMs));
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  void cancel.signalled.then(() => githubBudget.shorten(CANCEL_REPORT_MS));
  // The check starts, and the sticky comment is looked up, while the backend works.
  const github = startGitHubReport(plan.github, log, githubBudget);
  // `baseline_run_id: auto`: the base commit's run, from the record the look-up found.
  const baselineRunId = async () => {
    const found = await (await github).baseline;
    return plan.kind === 'gate' ? comparableRunId(plan.gate, found) : undefined;
  };
  const evaluated =
    plan.kind === 'aggregate'
      ? aggregateReports(plan.aggregate, log)
      : runGate(plan.gate, {
          log,
          cancelled: cancel.signalled,
          agents: machineAgents(env),
          baselineRunId,
        });
  let verdict = redactSecrets(await evaluated, secrets);
  if (plan.baseline) {
    const report = await github;
    const [base, history] = await Promise.all([report.baseline, report.history]);
    verdict = compareWithBaseBranch(
      verdict,
      {
        base: base ?? { missing: 'GitHub reporting is off' },
        ...(history ? { history: { entries: history, asked: plan.baseline.history } } : {}),
      },
      plan.baseline,
    );
    // The job's log renders no chart: the trend is a sparkline there.
    const trend = trendLogLine(verdict);
    if (trend) log.info(trend);
  }
  try {
    await reportOnRunner(verdict, plan.subject, plan.github.mode, log);
  } finally {
    // The check is completed even if the runner's files could not be written.
    await (await github).finish(verdict);
  }
  concludeStep(verdict, plan.github.mode);
}

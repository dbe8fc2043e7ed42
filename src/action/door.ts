import * as core from '@actions/core';
import type { Door } from '../core/run/ports.js';
import { readChangedFiles } from '../report/github/changed-files.js';
import { refusedVerdict } from '../core/run/refuse.js';
import { CHANGED_FILES_MAX_MS, reportingGraceMs } from '../core/run/timing.js';
import { Deadline } from '../core/support/deadline.js';
import type { GateLog } from '../core/support/log.js';
import type { RawInputs } from '../core/inputs/fields.js';
import type { Verdict } from '../core/verdict/verdict.js';
import { COMPLETE_RESERVE_MS } from '../report/github/report.js';
import { startGitHubReporters } from '../report/github/reporters.js';
import { machineAgents } from '../core/transport/proxy.js';
import type { ActionPlan } from './plan.js';
import { inputErrorPlace } from './plan.js';
import { reportOnRunner } from './runner.js';

type GitHubReporters = ReturnType<typeof startGitHubReporters>;

/**
 * The action as the pipeline's door: GitHub's check and sticky comment are its reporters, the
 * base commit's check its base branch (on a pull request or merge queue with `baseline: auto`),
 * and the runner's outputs, report file and job summary what it publishes before the check is
 * completed.
 */
export function actionDoor(
  plan: ActionPlan,
  env: NodeJS.ProcessEnv,
  log: GateLog,
  secrets: readonly (string | undefined)[],
  cancelled: Promise<NodeJS.Signals>,
): Door<GitHubReporters> {
  // A config entry's credential (`token_env`) is masked like `token`.
  for (const secret of plan.run.secrets ?? []) core.setSecret(secret);
  return {
    log,
    secrets: [...secrets, ...(plan.run.secrets ?? [])],
    agents: machineAgents(env),
    cancelled,
    startReporters: (_, budget) => startGitHubReporters(plan.github, log, budget),
    changedFiles: () => {
      // A cancel stops the listing: the cancelled verdict needs the runner's few seconds to be reported.
      const listing = new Deadline(CHANGED_FILES_MAX_MS);
      void cancelled.then(() => listing.shorten(0));
      return readChangedFiles(plan.change, log, listing);
    },
    baseBranch: (_, reporters) =>
      plan.compareWithBase
        ? {
            base: reporters.baseline,
            history: reporters.history.then((entries) => entries && { entries }),
            missing: 'GitHub reporting is off',
            always: true,
          }
        : undefined,
    async publish(verdict, run, reporters) {
      try {
        await reportOnRunner(verdict, run.subject, run.mode, log);
      } finally {
        // The check is completed even if the runner's files could not be written.
        await reporters.finish(verdict);
      }
    },
  };
}

/**
 * Bad input fails the step in every mode, before any backend call; the required check is
 * completed as failed, saying what to fix, rather than left waiting forever.
 */
export async function refuseOnRunner(
  raw: RawInputs,
  env: NodeJS.ProcessEnv,
  message: string,
  log: GateLog,
  secrets: readonly (string | undefined)[],
): Promise<Verdict> {
  const verdict = refusedVerdict(raw, message, secrets);
  const place = inputErrorPlace(raw, env);
  await reportOnRunner(
    verdict,
    { checkName: place.checkName, repository: place.repository },
    'hard',
    log,
  );
  // The check is begun and completed at once: its start gets a gate's grace, its completion the
  // time reserved after it, so a slow GitHub cannot leave it in progress (the comment may be dropped).
  const budget = new Deadline(reportingGraceMs(0) + COMPLETE_RESERVE_MS);
  await startGitHubReporters(place, log, budget, { reserveCompletion: true }).finish(verdict);
  return verdict;
}

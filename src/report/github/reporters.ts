import type { GateTarget } from '../../core/change/github.js';
import type { GitHubInputs } from './inputs.js';
import type { Reporters } from '../../core/run/ports.js';
import type { RunPlan } from '../../core/run/plan.js';
import type { Deadline } from '../../core/support/deadline.js';
import type { GateLog } from '../../core/support/log.js';
import {
  type GitHubPlace,
  type GitHubReport,
  type ReportTiming,
  startGitHubReport,
} from './report.js';

/**
 * Where the action reports a planned run on GitHub: the event's repository and pull request,
 * the run's check name, mode and commit. A matrix leg (`shard`) reports nothing. With
 * `compareWithBase`, the base commit's verdict and `history` verdicts along the base branch
 * are read back: the event's base commit, or on `workflow_run` the base of the pull request
 * handed over, once GitHub says its head is the commit gated.
 */
export function actionPlace(
  plan: RunPlan,
  target: GateTarget,
  reporting: GitHubInputs,
  compareWithBase: boolean,
): GitHubPlace {
  return {
    ...target,
    token: reporting.github_token,
    comment: reporting.comment,
    checkName: plan.checkName,
    mode: plan.mode,
    headSha: plan.subject.headSha,
    pullRequestNumber: plan.pullRequestNumber,
    reportsElsewhere: plan.shard !== undefined,
    // On workflow_run the event names no base: the hand-over's pull request says it, read from GitHub.
    ...(compareWithBase
      ? {
          historyCount: plan.policy.history,
          ...(target.baseSha ? { baselineSha: target.baseSha } : { baseOfHandOver: true }),
        }
      : {}),
  };
}

/** A GitHub report being started, as the pipeline's reporters. */
export function asReporters(
  report: Promise<GitHubReport>,
): Reporters & { report: Promise<GitHubReport> } {
  return {
    report,
    baseline: report.then((started) => started.baseline),
    history: report.then((started) => started.history),
    finish: async (verdict) => (await report).finish(verdict),
  };
}

/** Starts reporting a planned run on GitHub, as the pipeline's reporters. */
export function startGitHubReporters(
  place: GitHubPlace,
  log: GateLog,
  budget: Deadline,
  timing: ReportTiming = {},
) {
  return asReporters(startGitHubReport(place, log, budget, timing));
}

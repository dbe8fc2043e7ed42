import type { DetectedChange } from '../core/change/ci.js';
import type { Deadline } from '../core/support/deadline.js';
import type { Mode } from '../core/inputs/common.js';
import type { GateLog } from '../core/support/log.js';
import type { AgentSource } from '../core/transport/agents.js';
import type { Verdict } from '../core/verdict/verdict.js';
import { type HistoryEntry, newestAsBase } from '../core/baseline/history.js';
import type { BaselineLookup } from './github/baseline.js';
import type { CliGitHubInputs } from './github/inputs.js';
import { type GitHubReport, startGitHubReport } from './github/report.js';
import { CLI_WORDS } from './github/words.js';
import type { GitLabInputs } from './gitlab/inputs.js';
import { startGitLabNote } from './gitlab/note.js';
import { type GitLabNotePlace, gitlabNotePlace } from './gitlab/place.js';
import { findGitLabHistory } from './gitlab/history.js';
import { isAbsolute, normalize } from 'node:path';

/** The command line's reporting inputs, validated: GitLab's note and GitHub's check and comment. */
export interface CliReporting {
  gitlab: GitLabInputs;
  github: CliGitHubInputs;
}

const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** What the gate is, for its reporters. */
export interface ReportedGate {
  checkName: string;
  mode: Mode;
  /** `--head-sha`, when given: the check goes there, whatever the pull request's head. */
  headSha?: string;
  pullRequestNumber?: number;
  /** A matrix leg reports nothing: the job that runs `--aggregate` reports for every shard. */
  shard?: string;
  /** Whether the base commit's verdict is wanted (no `--baseline-report` was given). */
  compareWithBase: boolean;
  /** Verdicts to read along the base branch, on GitHub or GitLab (`--history`); 0: none. */
  history: number;
  /** `--report`, relative to the project: on GitLab, the artifact the same job kept on the target branch. */
  reportPath?: string;
  timeoutMs: number;
}

/** Where reviewers see the verdict: the merge request's note (GitLab) and the check and comment (GitHub). */
export interface ReviewReport {
  /** The base commit's verdict on GitHub (on GitLab: the target branch's newest report), looked up while the backend works; undefined when not looked for. */
  baseline: Promise<BaselineLookup | undefined>;
  /** This gate's verdicts along the base branch, from GitHub's checks or GitLab's pipelines, newest first; undefined when not looked for. */
  history: Promise<HistoryEntry[] | undefined>;
  /** Writes the verdict everywhere it goes. Never throws: a forge that fails is a warning. */
  finish(verdict: Verdict): Promise<void>;
}

/**
 * Starts reporting beside the evaluation: the GitLab note and history are looked up, the GitHub
 * check is started (in progress) and the sticky comment, base verdict and history looked up.
 * Every GitHub call fits in `budget`, which a cancelled job cuts to seconds.
 */
export function startReporting(
  reporting: CliReporting | undefined,
  gate: ReportedGate,
  change: DetectedChange,
  env: NodeJS.ProcessEnv,
  log: GateLog,
  budget: Deadline,
  options: { agents?: AgentSource } = {},
): ReviewReport {
  const wantsGitLab = Boolean(reporting?.gitlab.gitlab_token);
  const wantsGitHub = Boolean(reporting?.github.github_token);
  if (gate.shard && (wantsGitLab || wantsGitHub)) {
    log.info(
      'This is one shard of a matrix: nothing is reported here; the job that runs --aggregate reports for every shard.',
    );
    return {
      baseline: Promise.resolve(undefined),
      history: Promise.resolve(undefined),
      finish: async () => undefined,
    };
  }
  const found = reporting && gitlabNotePlace(env, reporting.gitlab.gitlab_token, gate.checkName);
  if (found && 'skip' in found) (found.warn ? log.warning : log.info)(found.skip);
  const note =
    found && 'place' in found ? startGitLabNote(found.place, log, options.agents) : undefined;
  const gitlabHistory =
    found && 'place' in found
      ? startGitLabHistory(found.place, gate, env, log, options.agents)
      : undefined;
  let github: Promise<GitHubReport> | undefined;
  if (reporting && wantsGitHub) {
    const { github: inputs } = reporting;
    github = startGitHubReport(
      {
        token: inputs.github_token,
        apiUrl: inputs.github_api_url ?? (env.GITHUB_API_URL?.trim() || DEFAULT_GITHUB_API_URL),
        repository: inputs.repository ?? change.repository,
        ...(gate.headSha ? { headSha: gate.headSha } : {}),
        ...(gate.pullRequestNumber ? { pullRequestNumber: gate.pullRequestNumber } : {}),
        comment: inputs.comment,
        checkName: gate.checkName,
        mode: gate.mode,
        ...(change.runUrl ? { runUrl: change.runUrl } : {}),
        fromPullRequest: {
          ...(change.commitSha
            ? {
                ciCommitSha: change.commitSha,
                ...(change.commitVariable ? { ciCommitName: change.commitVariable } : {}),
              }
            : {}),
          compareWithBase: gate.compareWithBase && inputs.baseline === 'auto',
        },
        words: CLI_WORDS,
        historyCount: gate.compareWithBase && inputs.baseline === 'auto' ? gate.history : 0,
      },
      log,
      budget,
    );
  }
  return {
    // On GitLab the target branch's newest report is the base, as the newest check is on GitHub.
    baseline: github
      ? github.then((report) => report.baseline)
      : gitlabHistory
        ? gitlabHistory.then(newestAsBase)
        : Promise.resolve(undefined),
    history: github
      ? github.then((report) => report.history)
      : (gitlabHistory ?? Promise.resolve(undefined)),
    async finish(verdict) {
      await Promise.all([
        note?.finish(verdict, gate.mode),
        github?.then((report) => report.finish(verdict)),
      ]);
    },
  };
}

/**
 * In a merge-request pipeline with `GATE_GITLAB_TOKEN`: the target branch's last pipelines' reports
 * of this job (`--report`, kept as an artifact), read beside the backend's work. None without
 * `--report` (nothing names the artifact) or with `--history 0`, and the log says why.
 */
function startGitLabHistory(
  place: GitLabNotePlace,
  gate: ReportedGate,
  env: NodeJS.ProcessEnv,
  log: GateLog,
  agents?: AgentSource,
): Promise<HistoryEntry[] | undefined> | undefined {
  if (gate.history === 0) return undefined;
  const ref = env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME?.trim() || env.CI_DEFAULT_BRANCH?.trim();
  const jobName = env.CI_JOB_NAME?.trim();
  const reportPath =
    gate.reportPath && !isAbsolute(gate.reportPath)
      ? normalize(gate.reportPath).replaceAll('\\', '/')
      : undefined;
  if (!ref || !jobName || !reportPath || reportPath.startsWith('..')) {
    log.info(
      `History: not read from GitLab: ${!reportPath ? 'it is the --report artifact the same job keeps on the target branch, and this job names none (or one outside the project)' : '`CI_MERGE_REQUEST_TARGET_BRANCH_NAME` and `CI_JOB_NAME` are not set'}.`,
    );
    return undefined;
  }
  const history = findGitLabHistory(
    {
      apiUrl: place.apiUrl,
      token: place.token,
      projectId: place.projectId,
      ref,
      jobName,
      reportPath,
      checkName: gate.checkName,
      count: gate.history,
    },
    log,
    agents,
  );
  history.catch(() => undefined);
  return history;
}

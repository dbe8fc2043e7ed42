import { baselineFromReport } from '../core/baseline/from-report.js';
import { newestAsBase } from '../core/baseline/history.js';
import { historyFromReports } from '../core/baseline/history-files.js';
import type { DetectedChange } from '../core/change/ci.js';
import type { Mode } from '../core/inputs/common.js';
import type { RunPlan } from '../core/run/plan.js';
import type { Door } from '../core/run/ports.js';
import type { ReadReport } from '../core/report-file/read.js';
import type { ReportSubject } from '../core/report-file/write.js';
import type { GateLog } from '../core/support/log.js';
import { redactText } from '../core/support/secrets.js';
import { printableLine } from '../core/support/text.js';
import type { AgentSource } from '../core/transport/agents.js';
import { failureKind } from '../core/verdict/could-not-evaluate.js';
import type { Verdict } from '../core/verdict/verdict.js';
import type { ChangedFiles } from '../core/gates/types.js';
import {
  type CliReporting,
  type ReviewReport,
  startReporting,
} from '../report/command-line-reporters.js';
import { writeRequestedFiles } from './files.js';
import { type CliRequest, inFlagWords } from './flags.js';
import type { ProgressStream } from './log.js';

/**
 * Exit statuses: what a CI reads of the gate. `couldNotEvaluate` is a fail that says nothing of
 * the agent (contract section 10: the backend could not evaluate), apart from a regression so
 * that a pipeline can let an outage through (GitLab's `allow_failure: exit_codes`) and still
 * block on a regression.
 */
export const EXIT = { pass: 0, fail: 1, badInput: 2, couldNotEvaluate: 3 } as const;

/** Where the command line writes: progress on stderr, the decision last on stdout. */
export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** What the command line knows of its run, beside the plan. */
export interface CliRun {
  request: CliRequest;
  reporting?: CliReporting;
  change: DetectedChange;
  env: NodeJS.ProcessEnv;
  io: CliIO;
  log: GateLog & { close(): void };
  agents: AgentSource;
  /** Every secret the run holds (the flags', then a config entry's `token_env`): the log redacts them as they are added. */
  secrets: (string | undefined)[];
  /** Where the changed files come from, for many gates (`--config`). */
  changes?: () => Promise<ChangedFiles>;
  /** The report `--baseline-report` names, read and checked before any call. */
  baselineReport?: ReadReport;
}

/** Every secret the command line holds: redacted from all it prints, writes and reports. */
export const secretsOf = (request: CliRequest) => [
  request.inputs.token,
  request.inputs.gitlab_token,
  request.inputs.github_token,
];

/**
 * The command line as the pipeline's door: GitLab's note and GitHub's check and comment are its
 * reporters; the base branch is `--baseline-report`, else the base commit's check on GitHub (the
 * target branch's newest report on GitLab), with the history from `--history-dir` or the forge;
 * it publishes the files asked for and the decision, last, on stdout. `written()` says whether
 * every file asked for was written.
 */
export function cliDoor(
  run: CliRun,
  cancelled: Promise<NodeJS.Signals>,
): Door<ReviewReport> & { written(): boolean } {
  const { request, log } = run;
  let written = true;
  return {
    log,
    secrets: run.secrets,
    agents: run.agents,
    cancelled,
    ...(run.changes ? { changedFiles: run.changes } : {}),
    startReporters: (plan, budget) =>
      startReporting(run.reporting, reportedGate(plan, request), run.change, run.env, log, budget, {
        agents: run.agents,
      }),
    baseBranch(plan, review, verdict) {
      const fromDir =
        request.historyDir !== undefined
          ? historyFromReports(request.historyDir, plan.checkName, plan.policy.history).then(
              (read) => {
                // What the folder left out is said once, in the log and beside the history.
                for (const note of read.notes) log.info(`History: ${note}.`);
                return read;
              },
            )
          : undefined;
      const history =
        fromDir ?? review.history.then((entries) => entries && { entries, notes: [] });
      const fromFile = Promise.resolve(
        run.baselineReport && baselineFromReport(run.baselineReport, verdict, plan.checkName),
      );
      return {
        // With a folder of earlier reports and no --baseline-report, the newest comparable one is the base.
        base: Promise.all([fromFile, review.baseline, fromDir]).then(
          ([file, onForge, dir]) =>
            file ?? onForge ?? (dir ? newestAsBase(dir.entries, verdict) : undefined),
        ),
        history,
        missing: 'no --baseline-report was given, and no base commit was read from GitHub',
        always: false,
      };
    },
    async publish(verdict, plan, review) {
      written = await publish(run, verdict, plan.subject, plan.mode, review);
    },
    written: () => written,
  };
}

/** What the command line's reporters are told of the planned run. */
function reportedGate(plan: RunPlan, request: CliRequest) {
  return {
    checkName: plan.checkName,
    mode: plan.mode,
    ...(plan.headShaInput ? { headSha: plan.headShaInput } : {}),
    ...(plan.pullRequestNumber ? { pullRequestNumber: plan.pullRequestNumber } : {}),
    ...(plan.shard ? { shard: plan.shard } : {}),
    compareWithBase: !request.baselineReport,
    history: request.historyDir ? 0 : plan.policy.history,
    ...(request.report ? { reportPath: request.report } : {}),
    timeoutMs: plan.timeoutMs,
  };
}

/**
 * Writes the files and reports the verdict, then the decision and reason (or `said`), last, on
 * stdout; false when a file could not be written.
 */
export async function publish(
  run: CliRun,
  verdict: Verdict,
  subject: ReportSubject,
  mode: Mode,
  review?: ReviewReport,
  /** What stdout's last line says after the decision, where not the reason (bad input: said on stderr). */
  said?: string,
): Promise<boolean> {
  const { request, io, log } = run;
  log.close();
  // The verdict in the command line's words wherever it lands (a backend's 401 names GATE_TOKEN,
  // a threshold --min-pass-rate), since the core writes it in the action's.
  const spoken = spokenVerdict(verdict);
  const [problems] = await Promise.all([
    writeRequestedFiles(request, spoken, subject, mode),
    review?.finish(spoken),
  ]);
  for (const problem of problems)
    log.warning(
      `${redactText(problem, run.secrets)} The job fails: a file it asked for is missing.`,
    );
  // The last line a CI reads: one line, printable, with no way to start a workflow command.
  io.stdout.write(`${spoken.decision}: ${printableLine(said ?? spoken.reason)}\n`);
  return problems.length === 0;
}

/**
 * The gate's own sentences of a verdict (its reason, why repeats stopped, why a run had no
 * verdict) in the command line's words: each input it names becomes its flag.
 */
function spokenVerdict(verdict: Verdict): Verdict {
  // Many gates speak as their config file does (`min_pass_rate`): an entry's inputs are its keys.
  if (verdict.gates) return verdict;
  const { repeats, attempts, shards } = verdict;
  return {
    ...verdict,
    reason: inFlagWords(verdict.reason),
    ...(repeats
      ? {
          repeats: {
            ...repeats,
            stopped: inFlagWords(repeats.stopped),
            rows: repeats.rows.map((row) => ({ ...row, reason: inFlagWords(row.reason) })),
          },
        }
      : {}),
    ...(attempts
      ? {
          attempts: {
            ...attempts,
            ...(attempts.stoppedBy ? { stoppedBy: inFlagWords(attempts.stoppedBy) } : {}),
            errors: attempts.errors.map((error) => ({
              ...error,
              message: inFlagWords(error.message),
              ...(error.notRetried ? { notRetried: inFlagWords(error.notRetried) } : {}),
            })),
          },
        }
      : {}),
    ...(shards
      ? { shards: shards.map((shard) => ({ ...shard, reason: inFlagWords(shard.reason) })) }
      : {}),
  };
}

/**
 * The exit status of a verdict: a fail fails the job in `hard` mode only, with 3 where the gate
 * could not evaluate and nothing it evaluated failed (many gates and shards: any regression
 * exits 1, else any that could not evaluate exits 3; see failureKind); a file that could not be
 * written fails it too.
 */
export function exitStatus(verdict: Verdict, mode: Mode, written: boolean, log: GateLog): number {
  if (!written) return EXIT.fail;
  if (verdict.decision !== 'fail') return EXIT.pass;
  if (mode === 'hard')
    return failureKind(verdict) === 'could not evaluate' ? EXIT.couldNotEvaluate : EXIT.fail;
  log.warning(`The gate failed, but --mode ${mode} does not fail the job.`);
  return EXIT.pass;
}

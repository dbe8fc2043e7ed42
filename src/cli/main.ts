import { aggregateReports } from '../core/aggregate/index.js';
import { planAggregate } from '../core/aggregate/plan.js';
import { baselineFromReport } from '../core/baseline.js';
import { compareWithBaseBranch, newestAsBase } from '../core/history.js';
import { trendLogLine } from '../core/render/trend.js';
import { historyDirProblem, historyFromReports } from '../core/history-files.js';
import type { BaseBranchPolicy } from '../core/history.js';
import { listenForCancel } from '../core/cancel.js';
import { type DetectedChange, detectChange } from '../core/change/ci.js';
import { InputError, messageOf } from '../core/errors.js';
import { comparableRunId, planGate, runGate } from '../core/gate.js';
import type { Mode } from '../core/inputs/common.js';
import type { GateLog } from '../core/log.js';
import type { ReportSubject } from '../core/render/report.js';
import { redactSecrets, redactText } from '../core/secrets.js';
import { printable, printableLine } from '../core/text.js';
import { failedVerdict, type Verdict } from '../core/verdict.js';
import { machineAgents } from '../runtime/agents.js';
import { writeRequestedFiles } from './files.js';
import { type CliRequest, inFlagWords, readRequest } from './flags.js';
import { helpText } from './help.js';
import { VERSION } from './version.js';
import { cliLog, type ProgressStream } from './log.js';
import {
  type CliReporting,
  readReporting,
  reportingProblems,
  type ReviewReport,
  startReporting,
} from './reporting.js';

/** Exit statuses: what a CI reads of the gate. */
export const EXIT = { pass: 0, fail: 1, badInput: 2 } as const;
const CANCEL_HARD_EXIT_MS = 5_000;
/** The check name of a gate whose backend is not known (an input error). */
const DEFAULT_CHECK_NAME = 'Reliability gate';

/** Where the command line writes: progress on stderr, the decision last on stdout. */
export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** What every path of the command line shares. */
interface Run {
  request: CliRequest;
  reporting?: CliReporting;
  /** What is wrong with the flags, variables and reporting inputs, in the command line's words. */
  problems: string[];
  change: DetectedChange;
  env: NodeJS.ProcessEnv;
  io: CliIO;
  log: GateLog & { close(): void };
}

/**
 * The command line: flags and `GATE_*` variables → the core's gate → files, the merge request's
 * note and GitHub's check and comment, the decision on stdout and an exit status. Returns the
 * status.
 */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIO,
): Promise<number> {
  const request = readRequest(argv, env);
  if (request.help || request.version) {
    io.stdout.write(request.help ? helpText() : `agent-reliability-gate ${VERSION}\n`);
    // Help is always shown; what is wrong with the flags or variables is said too, and is still bad input.
    if (request.problems.length === 0) return EXIT.pass;
    io.stderr.write(`agent-reliability-gate: ${printable(problemsMessage(request.problems))}\n`);
    return EXIT.badInput;
  }
  const log = cliLog(io.stderr, secretsOf(request), request.verbose);
  const change = detectChange(env);
  const { reporting, problems } = readReporting(request.inputs);
  // A history folder that cannot be read is bad input, said before any call: not a history silently left out.
  const historyDir =
    request.historyDir === undefined ? undefined : await historyDirProblem(request.historyDir);
  const run: Run = {
    request,
    ...(reporting ? { reporting } : {}),
    problems: [
      ...request.problems,
      ...(historyDir ? [historyDir] : []),
      ...problems,
      ...reportingProblems(reporting, change),
    ],
    change,
    env,
    io,
    log,
  };
  return request.inputs.aggregate?.trim() ? aggregateShards(run) : gate(run);
}

/** One gate: every problem at once, before any call; then the backend, beside the reporters. */
async function gate(run: Run): Promise<number> {
  const { request, change, env, log } = run;
  const plan = await planGate(request.inputs, change).catch((error: unknown) => error as Error);
  const problems = [
    ...run.problems,
    ...(plan instanceof InputError ? plan.problems.map(inFlagWords) : []),
  ];
  if (plan instanceof Error || problems.length > 0) {
    return refuse(
      run,
      problems.length > 0 ? problemsMessage(problems) : messageOf(plan),
      plan instanceof Error ? undefined : plan.backend.defaultCheckName,
    );
  }
  log.info(
    `Gating ${change.repository}${change.pullRequestNumber ? ` (merge request ${change.pullRequestNumber})` : ''}${change.commitSha ? ` at ${change.commitSha.slice(0, 12)}` : ''}; read from ${change.ci}.`,
  );
  const { inputs } = plan;
  const checkName = run.reporting?.github.check_name ?? plan.backend.defaultCheckName;
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  const agents = machineAgents(env);
  // The note and the sticky comment are looked up, and the check started, while the backend works.
  const review = startReporting(
    run.reporting,
    {
      checkName,
      mode: inputs.mode,
      ...(inputs.head_sha ? { headSha: inputs.head_sha } : {}),
      ...(plan.change.pullRequestNumber
        ? { pullRequestNumber: plan.change.pullRequestNumber }
        : {}),
      ...(inputs.shard ? { shard: inputs.shard } : {}),
      compareWithBase: !request.baselineReport,
      history: request.historyDir ? 0 : inputs.history,
      ...(request.report ? { reportPath: request.report } : {}),
      timeoutMs: inputs.timeoutMs,
    },
    change,
    env,
    log,
    { agents, cancelled: cancel.signalled },
  );
  // TruLayer's `baseline_run_id: auto`: the base commit's run, from the record GitHub holds.
  const baselineRunId = async () => comparableRunId(plan, await review.baseline);
  const evaluated = redactSecrets(
    await runGate(plan, { log, cancelled: cancel.signalled, agents, baselineRunId }),
    secretsOf(request),
  );
  const policy: BaseBranchPolicy = {
    drops: plan.drops,
    onMissing: inputs.on_missing_baseline,
    ...(inputs.confidence === undefined ? {} : { confidence: inputs.confidence }),
    onInconclusive: inputs.on_inconclusive,
    from: inputs.baseline_from,
    history: inputs.history,
  };
  const verdict = await compared(request, evaluated, checkName, policy, review, log);
  const subject = {
    checkName,
    repository: change.repository,
    headSha: plan.change.commitSha,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  };
  const written = await finish(run, verdict, subject, inputs.mode, review);
  cancel.dispose();
  return exitStatus(verdict, inputs.mode, written, log);
}

/** `--aggregate`: one verdict from the shards' report files (GitLab `parallel:matrix`, Jenkins `parallel`), no backend call. */
async function aggregateShards(run: Run): Promise<number> {
  const { request, change, env, log } = run;
  const planned = (() => {
    try {
      return planAggregate(request.inputs, {
        ...(run.reporting?.github.check_name ? { checkName: run.reporting.github.check_name } : {}),
        ...(change.commitSha ? { headSha: change.commitSha } : {}),
        ...(change.pullRequestNumber ? { pullRequestNumber: change.pullRequestNumber } : {}),
        cwd: process.cwd(),
      });
    } catch (error) {
      return error instanceof InputError ? error : new InputError(messageOf(error));
    }
  })();
  const problems = [
    ...run.problems,
    ...(planned instanceof InputError ? planned.problems.map(inFlagWords) : []),
  ];
  if (planned instanceof InputError || problems.length > 0)
    return refuse(run, problemsMessage(problems));
  const { plan, mode } = planned;
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  const review = startReporting(
    run.reporting,
    {
      checkName: plan.checkName,
      mode,
      ...(request.inputs.head_sha?.trim() ? { headSha: planned.headSha } : {}),
      ...(planned.pullRequestNumber ? { pullRequestNumber: planned.pullRequestNumber } : {}),
      compareWithBase: !request.baselineReport,
      history: request.historyDir ? 0 : planned.history,
      ...(request.report ? { reportPath: request.report } : {}),
      timeoutMs: planned.timeoutMs,
    },
    change,
    env,
    log,
    { agents: machineAgents(env), cancelled: cancel.signalled },
  );
  const policy: BaseBranchPolicy = {
    drops: planned.drops,
    onMissing: planned.onMissingBaseline,
    from: planned.baselineFrom,
    history: planned.history,
  };
  const verdict = await compared(
    request,
    await aggregateReports(plan, log),
    plan.checkName,
    policy,
    review,
    log,
  );
  const written = await finish(
    run,
    verdict,
    {
      checkName: plan.checkName,
      repository: change.repository,
      ...(planned.headSha ? { headSha: planned.headSha } : {}),
    },
    mode,
    review,
  );
  cancel.dispose();
  return exitStatus(verdict, mode, written, log);
}

/** Every secret the command line holds: redacted from all it prints, writes and reports. */
const secretsOf = (request: CliRequest) => [
  request.inputs.token,
  request.inputs.gitlab_token,
  request.inputs.github_token,
];

/** Every problem with the flags and inputs, one line each, in the command line's words. */
function problemsMessage(problems: string[]): string {
  return new InputError(problems).message.replace(/^Inputs are invalid:/, 'Flags are invalid:');
}

/**
 * Bad input: said on stderr, in the files asked for, on the merge request and the check where
 * the reporting inputs themselves are valid, and last on stdout. Nothing was sent to the backend.
 */
async function refuse(run: Run, message: string, backendCheckName?: string): Promise<number> {
  const { request, change, env, io, log } = run;
  const secrets = secretsOf(request);
  const verdict = redactSecrets(
    failedVerdict(request.inputs.backend || 'gate', message, {}, 0),
    secrets,
  );
  // stderr says every problem; the verdict's reason is bounded like any other.
  io.stderr.write(`agent-reliability-gate: ${printable(redactText(message, secrets))}\n`);
  const checkName = run.reporting?.github.check_name ?? backendCheckName ?? DEFAULT_CHECK_NAME;
  // A required check must not wait forever for a gate that could not start: it is completed as failed.
  const review =
    reportingProblems(run.reporting, change).length === 0
      ? startReporting(
          run.reporting,
          {
            checkName,
            mode: 'hard',
            ...(change.pullRequestNumber ? { pullRequestNumber: change.pullRequestNumber } : {}),
            compareWithBase: false,
            history: 0,
            timeoutMs: 0,
          },
          change,
          env,
          log,
        )
      : undefined;
  await finish(
    run,
    verdict,
    { checkName, repository: change.repository, headSha: change.commitSha },
    'hard',
    review,
  );
  return EXIT.badInput;
}

/**
 * The verdict compared with the default branch: with `--baseline-report`, that report file; with
 * GitHub reporting on a pull request, the base commit's check, as the action compares; and the
 * history beside it, from `--history-dir` or from GitHub. Without a baseline, a drop threshold
 * compares nothing and `--on-missing-baseline` decides.
 */
async function compared(
  request: CliRequest,
  verdict: Verdict,
  checkName: string,
  policy: BaseBranchPolicy,
  review: ReviewReport,
  log: GateLog,
): Promise<Verdict> {
  const [fromFile, onGitHub, read] = await Promise.all([
    request.baselineReport
      ? baselineFromReport(request.baselineReport, verdict, checkName)
      : undefined,
    review.baseline,
    request.historyDir !== undefined
      ? historyFromReports(request.historyDir, checkName, policy.history)
      : review.history.then((entries) => entries && { entries, notes: [] }),
  ]);
  const history = read?.entries;
  // What the folder left out is said once, in the log and beside the history.
  for (const note of read?.notes ?? []) log.info(`History: ${note}.`);
  // With a folder of earlier reports and no --baseline-report, the newest of them is the base.
  const base = fromFile ?? onGitHub ?? (request.historyDir ? newestAsBase(history) : undefined);
  if (!base && !history && policy.drops.length === 0) return verdict;
  const judged = compareWithBaseBranch(
    verdict,
    {
      base: base ?? {
        missing: 'no --baseline-report was given, and no base commit was read from GitHub',
      },
      ...(read
        ? { history: { entries: read.entries, asked: policy.history, notes: read.notes } }
        : {}),
    },
    policy,
  );
  // A terminal renders no chart: the trend is a sparkline there.
  const trend = trendLogLine(judged);
  if (trend) log.info(trend);
  return judged;
}

/** The exit status of a verdict: a fail fails the job in `hard` mode only; a file that could not be written fails it too. */
function exitStatus(verdict: Verdict, mode: Mode, written: boolean, log: GateLog): number {
  if (!written) return EXIT.fail;
  if (verdict.decision !== 'fail') return EXIT.pass;
  if (mode === 'hard') return EXIT.fail;
  log.warning(`The gate failed, but --mode ${mode} does not fail the job.`);
  return EXIT.pass;
}

/** Writes the files and reports the verdict, then the decision and reason, last, on stdout; false when a file could not be written. */
async function finish(
  run: Run,
  verdict: Verdict,
  subject: ReportSubject,
  mode: Mode,
  review?: ReviewReport,
): Promise<boolean> {
  const { request, io, log } = run;
  log.close();
  // The reason in the command line's words wherever it lands (a backend's 401 names GATE_TOKEN,
  // a threshold --min-pass-rate), since the core writes it in the action's.
  const spoken = { ...verdict, reason: inFlagWords(verdict.reason) };
  const [problems] = await Promise.all([
    writeRequestedFiles(request, spoken, subject, mode),
    review?.finish(spoken),
  ]);
  for (const problem of problems)
    log.warning(
      `${redactText(problem, secretsOf(request))} The job fails: a file it asked for is missing.`,
    );
  // The last line a CI reads: one line, printable, with no way to start a workflow command.
  io.stdout.write(`${spoken.decision}: ${printableLine(spoken.reason)}\n`);
  return problems.length === 0;
}

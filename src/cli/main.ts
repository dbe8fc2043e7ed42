import { listenForCancel } from '../core/cancel.js';
import { detectChange } from '../core/change/ci.js';
import { InputError, messageOf } from '../core/errors.js';
import { aggregateReports } from '../core/aggregate/index.js';
import { planAggregate } from '../core/aggregate/plan.js';
import { applyBaseline, baselineFromReport, type BaselinePolicy } from '../core/baseline.js';
import { planGate, runGate } from '../core/gate.js';
import type { Mode } from '../core/inputs/common.js';
import type { ReportSubject } from '../core/render/report.js';
import { redactSecrets, redactText } from '../core/secrets.js';
import { printable, printableLine } from '../core/text.js';
import { failedVerdict, type Verdict } from '../core/verdict.js';
import { machineAgents } from '../runtime/agents.js';
import type { GateLog } from '../core/log.js';
import type { AgentSource } from '../core/transport/agents.js';
import { writeRequestedFiles } from './files.js';
import { type CliRequest, inFlagWords, readRequest } from './flags.js';
import { helpText } from './help.js';
import { cliLog, type ProgressStream } from './log.js';
import { type ReviewReport, startReviewReport } from './note.js';
import { GitLabInputs } from '../report/gitlab/inputs.js';
import { parseInputs } from '../core/inputs/fields.js';

/** Exit statuses: what a CI reads of the gate. */
export const EXIT = { pass: 0, fail: 1, badInput: 2 } as const;
const CANCEL_HARD_EXIT_MS = 5_000;

/** Where the command line writes: progress on stderr, the decision last on stdout. */
export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/**
 * The command line: flags and `GATE_*` variables → the core's gate → files, the decision on
 * stdout and an exit status. Returns the status.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  const request = readRequest(argv, env);
  if (request.help) {
    io.stdout.write(helpText());
    // Help is always shown; what is wrong with the flags or variables is said too, and is still bad input.
    if (request.problems.length === 0) return EXIT.pass;
    io.stderr.write(`agent-reliability-gate: ${printable(problemsMessage(request.problems))}\n`);
    return EXIT.badInput;
  }
  const secrets = secretsOf(request);
  const log = cliLog(io.stderr, secrets, request.verbose);
  const change = detectChange(env);
  const reporting = readReporting(request);
  if (request.inputs.aggregate?.trim()) return aggregateShards(request, reporting, env, change, io, log);
  // Every problem at once, the flags' and the inputs', before any call.
  const plan = await planGate(request.inputs, change).catch((error: unknown) => error as Error);
  const problems = [...request.problems, ...reporting.problems, ...(plan instanceof InputError ? plan.problems.map(inFlagWords) : [])];
  if (plan instanceof Error || problems.length > 0) {
    const review = reviewReport(reporting, env, plan instanceof Error ? DEFAULT_CHECK_NAME : plan.backend.defaultCheckName, log);
    return refuse(request, problems.length > 0 ? problemsMessage(problems) : messageOf(plan), change, io, log, review);
  }
  log.info(`Gating ${change.repository}${change.pullRequestNumber ? ` (merge request ${change.pullRequestNumber})` : ''}${change.commitSha ? ` at ${change.commitSha.slice(0, 12)}` : ''}; read from ${change.ci}.`);
  // The note is looked up while the backend works.
  // A matrix leg notes nothing: the aggregate job notes for every shard.
  const review = plan.inputs.shard ? undefined : reviewReport(reporting, env, plan.backend.defaultCheckName, log, machineAgents(env));
  if (plan.inputs.shard && reporting.gitlabToken) log.info('This is one shard of a matrix: no note here; the job that runs --aggregate notes for every shard.');
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  const evaluated = redactSecrets(await runGate(plan, { log, cancelled: cancel.signalled, agents: machineAgents(env) }), secrets);
  const verdict = await compared(request, evaluated, plan.backend.defaultCheckName, {
    drops: plan.drops,
    onMissing: plan.inputs.on_missing_baseline,
    ...(plan.inputs.confidence === undefined ? {} : { confidence: plan.inputs.confidence }),
    onInconclusive: plan.inputs.on_inconclusive,
  });
  cancel.dispose();
  const subject = { checkName: plan.backend.defaultCheckName, repository: change.repository, headSha: plan.change.commitSha, ...(plan.inputs.shard ? { shard: plan.inputs.shard } : {}) };
  const written = await finish(request, verdict, subject, io, log, plan.inputs.mode, review);
  return exitStatus(verdict, plan.inputs.mode, written, log);
}

/** The check name of a gate whose backend is not known (an input error). */
const DEFAULT_CHECK_NAME = 'Reliability gate';

/** Every secret the command line holds: redacted from all it prints and writes. */
const secretsOf = (request: CliRequest) => [request.inputs.token, request.inputs.gitlab_token];

/** The reporting inputs (GitLab's note), or what is wrong with them, in the command line's words. */
function readReporting(request: CliRequest): { gitlabToken?: string; problems: string[] } {
  try {
    const { gitlab_token } = parseInputs(GitLabInputs, request.inputs);
    return { ...(gitlab_token ? { gitlabToken: gitlab_token } : {}), problems: [] };
  } catch (error) {
    return { problems: error instanceof InputError ? error.problems.map(inFlagWords) : [messageOf(error)] };
  }
}

function reviewReport(reporting: ReturnType<typeof readReporting>, env: NodeJS.ProcessEnv, checkName: string, log: GateLog, agents?: AgentSource): ReviewReport | undefined {
  return reporting.gitlabToken ? startReviewReport(env, reporting.gitlabToken, checkName, log, agents) : undefined;
}

/** `--aggregate`: one verdict from the shards' report files (GitLab `parallel:matrix`, Jenkins `parallel`), no backend call. */
async function aggregateShards(
  request: CliRequest,
  reporting: ReturnType<typeof readReporting>,
  env: NodeJS.ProcessEnv,
  change: ReturnType<typeof detectChange>,
  io: CliIO,
  log: ReturnType<typeof cliLog>,
): Promise<number> {
  const planned = (() => {
    try {
      return planAggregate(request.inputs, { ...(change.commitSha ? { headSha: change.commitSha } : {}), ...(change.pullRequestNumber ? { pullRequestNumber: change.pullRequestNumber } : {}), cwd: process.cwd() });
    } catch (error) {
      return error instanceof InputError ? error : new InputError(messageOf(error));
    }
  })();
  const problems = [...request.problems, ...reporting.problems, ...(planned instanceof InputError ? planned.problems.map(inFlagWords) : [])];
  if (planned instanceof InputError || problems.length > 0) return refuse(request, problemsMessage(problems), change, io, log, reviewReport(reporting, env, DEFAULT_CHECK_NAME, log));
  const review = reviewReport(reporting, env, planned.plan.checkName, log, machineAgents(env));
  const verdict = await compared(request, await aggregateReports(planned.plan, log), planned.plan.checkName, { drops: planned.drops, onMissing: planned.onMissingBaseline });
  const written = await finish(request, verdict, { checkName: planned.plan.checkName, repository: change.repository, ...(planned.headSha ? { headSha: planned.headSha } : {}) }, io, log, planned.mode, review);
  return exitStatus(verdict, planned.mode, written, log);
}

/** Every problem with the flags and inputs, one line each, in the command line's words. */
function problemsMessage(problems: string[]): string {
  return new InputError(problems).message.replace(/^Inputs are invalid:/, 'Flags are invalid:');
}

/** Bad input: said on stderr, in the files asked for, and last on stdout; nothing was sent. */
async function refuse(request: CliRequest, message: string, change: ReturnType<typeof detectChange>, io: CliIO, log: ReturnType<typeof cliLog>, review?: ReviewReport): Promise<number> {
  const secrets = secretsOf(request);
  const verdict = redactSecrets(failedVerdict(request.inputs.backend || 'gate', message, {}, 0), secrets);
  // stderr says every problem; the verdict's reason is bounded like any other.
  io.stderr.write(`agent-reliability-gate: ${printable(redactText(message, secrets))}\n`);
  await finish(request, verdict, { checkName: DEFAULT_CHECK_NAME, repository: change.repository, headSha: change.commitSha }, io, log, 'hard', review);
  return EXIT.badInput;
}

/**
 * With `--baseline-report` (or a drop threshold), the verdict compared with the default
 * branch's report file, as the action compares with the base commit's check. Without a file, a
 * drop threshold compares nothing and `--on-missing-baseline` decides.
 */
async function compared(request: CliRequest, verdict: Verdict, checkName: string, policy: BaselinePolicy): Promise<Verdict> {
  if (!request.baselineReport && policy.drops.length === 0) return verdict;
  const found = request.baselineReport ? await baselineFromReport(request.baselineReport, verdict, checkName) : { missing: 'no --baseline-report was given' };
  return applyBaseline(verdict, found.record, found.missing, policy);
}

/** The exit status of a verdict: a fail fails the job in `hard` mode only; a file that could not be written fails it too. */
function exitStatus(verdict: Verdict, mode: Mode, written: boolean, log: ReturnType<typeof cliLog>): number {
  if (!written) return EXIT.fail;
  if (verdict.decision !== 'fail') return EXIT.pass;
  if (mode === 'hard') return EXIT.fail;
  log.warning(`The gate failed, but --mode ${mode} does not fail the job.`);
  return EXIT.pass;
}

/** Writes the requested files, then the decision and reason, last, on stdout; false when a file could not be written. */
async function finish(request: CliRequest, verdict: Verdict, subject: ReportSubject, io: CliIO, log: ReturnType<typeof cliLog>, mode: Mode = 'hard', review?: ReviewReport): Promise<boolean> {
  log.close();
  const [problems] = await Promise.all([writeRequestedFiles(request, verdict, subject, mode), review?.finish(verdict, mode)]);
  for (const problem of problems) log.warning(`${redactText(problem, secretsOf(request))} The job fails: a file it asked for is missing.`);
  // The last line a CI reads: one line, printable, with no way to start a workflow command.
  io.stdout.write(`${verdict.decision}: ${printableLine(verdict.reason)}\n`);
  return problems.length === 0;
}

import { historyDirProblem } from '../core/baseline/history-files.js';
import { detectChange } from '../core/change/ci.js';
import { CLI_CONFIG_WORDS } from '../core/gates/words.js';
import { planRun } from '../core/run/plan.js';
import { runPipeline } from '../core/run/pipeline.js';
import { CANCEL_HARD_EXIT_MS } from '../core/run/timing.js';
import { listenForCancel } from '../core/support/cancel.js';
import { InputError, messageOf } from '../core/support/errors.js';
import { printable } from '../core/support/text.js';
import { machineAgents } from '../core/transport/proxy.js';
import { type CliIO, type CliRun, cliDoor, EXIT, exitStatus, secretsOf } from './door.js';
import { inFlagWords, readRequest } from './flags.js';
import { helpText } from './help.js';
import { cliLog, gatingLine } from './log.js';
import { problemsMessage, refuse } from './refuse.js';
import { readReporting, reportingProblems } from './reporting.js';
import { VERSION } from './version.js';
import { stepFilesOf } from '../core/change/step-files.js';
import {
  changeSourceOf,
  changeSourceProblems,
  readChangedFilesFile,
  revisionProblem,
  readChangeSource,
} from './changed.js';

export { EXIT, type CliIO };

/**
 * The command line: flags and `GATE_*` variables → the core's run (the backend, or the shards'
 * reports, beside the note, the check and the comment) → files, the decision on stdout and an
 * exit status, which it returns.
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
  const secrets = secretsOf(request);
  const log = cliLog(io.stderr, secrets, request.verbose);
  const { reporting, problems } = readReporting(request.inputs);
  // `--repository` names the repository for the backend too, not for GitHub reporting alone.
  const named = reporting?.github.repository;
  const change = { ...detectChange(env), ...(named ? { repository: named } : {}) };
  // Many gates (`--config`): which files the change touched; a list in a file is read now, so that one that cannot be read is bad input.
  const source = changeSourceOf(request, env);
  const listed = source.kind === 'file' ? await readChangedFilesFile(source.path) : undefined;
  // A revision given by hand that git does not know is a typo, said now: not every gate run unasked.
  const unknownRevision =
    source.kind === 'git' && source.from === '--changed-since' && request.inputs.config?.trim()
      ? await revisionProblem(source.ref, process.cwd())
      : undefined;
  const run: CliRun = {
    request,
    ...(reporting ? { reporting } : {}),
    change,
    env,
    io,
    log,
    agents: machineAgents(env),
    secrets,
    changes: () =>
      Array.isArray(listed) && listed.length > 0 && source.kind === 'file'
        ? Promise.resolve({
            files: listed,
            source: `the ${listed.length} ${listed.length === 1 ? 'file' : 'files'} listed in ${source.path}`,
          })
        : readChangeSource(source, process.cwd()),
  };
  // A history folder that cannot be read is bad input, said before any call: not a history silently left out.
  const historyDir =
    request.historyDir === undefined ? undefined : await historyDirProblem(request.historyDir);
  const plan = await planRun(request.inputs, {
    change,
    ...(reporting?.github.check_name ? { checkName: reporting.github.check_name } : {}),
    cwd: process.cwd(),
    variable: (name) => env[name],
    stepFiles: stepFilesOf(env),
    configWords: CLI_CONFIG_WORDS,
  }).catch((error: unknown) => error as Error);
  if (!(plan instanceof Error)) secrets.push(...(plan.secrets ?? []));
  // Every problem at once, before any call, in the command line's words.
  const all = [
    ...request.problems,
    ...(historyDir ? [historyDir] : []),
    ...changeSourceProblems(request, request.inputs.config),
    ...(typeof listed === 'string' && request.inputs.config?.trim() ? [listed] : []),
    ...(unknownRevision ? [unknownRevision] : []),
    ...problems,
    ...reportingProblems(reporting, change),
    ...(plan instanceof InputError ? plan.problems.map(inFlagWords) : []),
  ];
  if (plan instanceof Error || all.length > 0) {
    const message = all.length > 0 ? problemsMessage(all) : messageOf(plan);
    return refuse(run, message, plan instanceof Error ? undefined : plan.checkName);
  }
  if (plan.evaluation.kind !== 'aggregate') log.info(gatingLine(change));
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  const door = cliDoor(run, cancel.signalled);
  const verdict = await runPipeline(plan, door);
  cancel.dispose();
  return exitStatus(verdict, plan.mode, door.written(), log);
}

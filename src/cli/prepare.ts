import { readBaselineReport } from '../core/baseline/from-report.js';
import { historyDirProblem } from '../core/baseline/history-files.js';
import { detectChange } from '../core/change/ci.js';
import { stepFilesOf } from '../core/change/step-files.js';
import { CLI_CONFIG_WORDS } from '../core/gates/words.js';
import { planRun, type RunPlan } from '../core/run/plan.js';
import { InputError } from '../core/support/errors.js';
import { machineAgents } from '../core/transport/proxy.js';
import {
  changeSourceOf,
  changeSourceProblems,
  readChangedFilesFile,
  readChangeSource,
  revisionProblem,
} from './changed.js';
import { type CliIO, type CliRun, secretsOf } from './door.js';
import { type CliRequest, inFlagWords } from './flags.js';
import { cliLog } from './log.js';
import { readReporting, reportingProblems } from './reporting.js';

/** A command line's run made ready: what it knows, its plan (or why there is none), and every problem with its input. */
export interface PreparedCli {
  run: CliRun;
  plan: RunPlan | Error;
  /** Every problem at once, in the command line's words; empty when the plan may run. */
  problems: string[];
}

/**
 * Reads everything the flags and variables name before any call: the change from the CI's
 * variables, the reporting inputs, the changed files (many gates), the baseline report, the
 * history folder, the plan.
 * What is wrong with any of them is bad input, said all at once.
 */
export async function prepareCli(
  request: CliRequest,
  env: NodeJS.ProcessEnv,
  io: CliIO,
): Promise<PreparedCli> {
  const secrets = secretsOf(request);
  const log = cliLog(io.stderr, secrets, request.verbose);
  const { reporting, problems } = readReporting(request.inputs);
  // `--repository` names the repository for the backend too, not for GitHub reporting alone.
  const named = reporting?.github.repository;
  const change = { ...detectChange(env), ...(named ? { repository: named } : {}) };
  const manyGates = Boolean(request.inputs.config?.trim());
  // Many gates (`--config`): which files the change touched; a list in a file is read now, so that one that cannot be read is bad input.
  const source = changeSourceOf(request, env);
  const listed = source.kind === 'file' ? await readChangedFilesFile(source.path) : undefined;
  // A revision given by hand that git does not know is a typo, said now: not every gate run unasked.
  const unknownRevision =
    source.kind === 'git' && source.from === '--changed-since' && manyGates
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
  // So is a baseline report the user named that is missing or no report: a drop never compared.
  const baseline =
    request.baselineReport === undefined
      ? undefined
      : await readBaselineReport(request.baselineReport);
  if (baseline !== undefined && typeof baseline !== 'string') run.baselineReport = baseline;
  const plan = await planRun(request.inputs, {
    change,
    ...(reporting?.github.check_name ? { checkName: reporting.github.check_name } : {}),
    cwd: process.cwd(),
    variable: (name) => env[name],
    stepFiles: stepFilesOf(env),
    configWords: CLI_CONFIG_WORDS,
  }).catch((error: unknown) => error as Error);
  if (!(plan instanceof Error)) secrets.push(...(plan.secrets ?? []));
  return {
    run,
    plan,
    problems: [
      ...request.problems,
      ...(historyDir ? [historyDir] : []),
      ...(typeof baseline === 'string' ? [baseline] : []),
      ...changeSourceProblems(request, request.inputs.config),
      ...(typeof listed === 'string' && manyGates ? [listed] : []),
      ...(unknownRevision ? [unknownRevision] : []),
      ...problems,
      ...reportingProblems(reporting, change),
      ...(plan instanceof InputError ? plan.problems.map(inFlagWords) : []),
    ],
  };
}

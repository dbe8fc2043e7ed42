import { runPipeline } from '../core/run/pipeline.js';
import { CANCEL_HARD_EXIT_MS } from '../core/run/timing.js';
import { listenForCancel } from '../core/support/cancel.js';
import { messageOf } from '../core/support/errors.js';
import { printable } from '../core/support/text.js';
import { type CliIO, cliDoor, EXIT, exitStatus } from './door.js';
import { type CliRequest, readRequest } from './flags.js';
import { helpText } from './help.js';
import { gatingLine } from './log.js';
import { prepareCli } from './prepare.js';
import { problemsMessage, refuse } from './refuse.js';
import { VERSION } from './version.js';

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
  if (request.help || request.version) return helpOrVersion(request, io);
  const { run, plan, problems } = await prepareCli(request, env, io);
  // Every problem at once, before any call, in the command line's words.
  if (plan instanceof Error || problems.length > 0) {
    const message = problems.length > 0 ? problemsMessage(problems) : messageOf(plan);
    return refuse(run, message, plan instanceof Error ? undefined : plan.checkName);
  }
  if (plan.evaluation.kind !== 'aggregate') run.log.info(gatingLine(run.change));
  const cancel = listenForCancel(CANCEL_HARD_EXIT_MS);
  const door = cliDoor(run, cancel.signalled);
  const verdict = await runPipeline(plan, door);
  cancel.dispose();
  return exitStatus(verdict, plan.mode, door.written(), run.log);
}

/** `--help` or `--version` on stdout; what is wrong with the flags or variables besides is said too, and is still bad input. */
function helpOrVersion(request: CliRequest, io: CliIO): number {
  io.stdout.write(request.help ? helpText() : `agent-reliability-gate ${VERSION}\n`);
  if (request.problems.length === 0) return EXIT.pass;
  io.stderr.write(`agent-reliability-gate: ${printable(problemsMessage(request.problems))}\n`);
  return EXIT.badInput;
}

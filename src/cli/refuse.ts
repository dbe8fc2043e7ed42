import { refusedVerdict } from '../core/run/refuse.js';
import { reportingGraceMs } from '../core/run/timing.js';
import { Deadline } from '../core/support/deadline.js';
import { InputError, listedProblems } from '../core/support/errors.js';
import { redactText } from '../core/support/secrets.js';
import { printable } from '../core/support/text.js';
import { startReporting } from '../report/command-line-reporters.js';
import { type CliRun, EXIT, publish, secretsOf } from './door.js';
import { GATES_CHECK_NAME, manyGates } from '../core/run/plan.js';
import { reportingProblems } from './reporting.js';

/** The check name of a gate whose backend is not known (an input error). */
const DEFAULT_CHECK_NAME = 'Reliability gate';

/** Every problem with the flags and inputs, one line each, in the command line's words. */
export function problemsMessage(problems: string[]): string {
  return new InputError(problems).message.replace(/^Inputs are invalid:/, 'Flags are invalid:');
}

/**
 * Bad input: said on stderr, in the files asked for, on the merge request and the check where
 * the reporting inputs themselves are valid, and last on stdout. Nothing was sent to the backend.
 */
export async function refuse(
  run: CliRun,
  message: string,
  backendCheckName?: string,
): Promise<number> {
  const { request, change, env, io, log } = run;
  const secrets = secretsOf(request);
  const verdict = refusedVerdict(request.inputs, message, secrets);
  // Said once where a user reads (a terminal, a CI log: both streams together): every problem on
  // stderr, in full; the files and the forge get the verdict's bounded reason; stdout's last line
  // is the decision, pointing to stderr rather than saying it all again.
  io.stderr.write(`agent-reliability-gate: ${printable(redactText(message, secrets))}\n`);
  const count = listedProblems(message)?.items.length ?? 1;
  const line = `bad input, ${count === 1 ? '1 problem' : `${count} problems`} said on stderr; nothing was sent.`;
  const checkName =
    run.reporting?.github.check_name ??
    backendCheckName ??
    (manyGates(request.inputs) ? GATES_CHECK_NAME : DEFAULT_CHECK_NAME);
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
          new Deadline(reportingGraceMs(0)),
          { agents: run.agents },
        )
      : undefined;
  const subject = { checkName, repository: change.repository, headSha: change.commitSha };
  await publish(run, verdict, subject, 'hard', review, line);
  return EXIT.badInput;
}

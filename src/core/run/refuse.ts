import { BACKEND_IDS, BACKENDS } from '../backends/registry.js';
import { GATES_BACKEND } from '../gates/combine.js';
import type { RawInputs } from '../inputs/fields.js';
import { redactSecrets } from '../support/secrets.js';
import { failedVerdict, MAX_REASON_CHARS, type Verdict } from '../verdict/verdict.js';
import { manyGates } from './plan.js';

/**
 * The verdict of a gate that could not start (bad input): `fail`, saying every problem, with
 * nothing sent to a backend. A door still reports it, so a required check is not left waiting;
 * it is of the backend the inputs name (of many gates, with `config`), as its footer says.
 */
export function refusedVerdict(
  raw: RawInputs,
  message: string,
  secrets: readonly (string | undefined)[],
): Verdict {
  const id = raw.backend?.trim().toLowerCase() || BACKEND_IDS[0];
  const backend = manyGates(raw)
    ? GATES_BACKEND
    : (BACKENDS.find((b) => b.id === id)?.displayName ?? 'gate');
  return redactSecrets(failedVerdict(backend, wholeLines(message), {}, 0), secrets);
}

/**
 * A list of problems within a reason's length, cut between its lines, never inside one: the
 * problems left out are counted, and the log says them all.
 */
function wholeLines(message: string): string {
  if (message.length <= MAX_REASON_CHARS) return message;
  const lines = message.split('\n');
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const tail = `\n- and ${lines.length - index} more, in the log`;
    if (index > 0 && length + line.length + 1 + tail.length > MAX_REASON_CHARS) {
      kept.push(tail.slice(1));
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}

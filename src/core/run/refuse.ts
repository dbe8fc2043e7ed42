import { redactSecrets } from '../support/secrets.js';
import { failedVerdict, type Verdict } from '../verdict/verdict.js';

/**
 * The verdict of a gate that could not start (bad input): `fail`, saying every problem, with
 * nothing sent to a backend. A door still reports it, so a required check is not left waiting.
 */
export function refusedVerdict(
  backend: string | undefined,
  message: string,
  secrets: readonly (string | undefined)[],
): Verdict {
  return redactSecrets(failedVerdict(backend?.trim() || 'gate', message, {}, 0), secrets);
}

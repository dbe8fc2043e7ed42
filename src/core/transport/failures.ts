import { BackendCallError, messageOf, UnreachableError } from '../support/errors.js';
import { connectionErrorCode, neverReachedServer } from './retry.js';

/** A connection error as `CODE (message)`. */
export function describeConnectionError(error: unknown): string {
  const code = connectionErrorCode(error);
  return code ? `${code} (${messageOf(error)})` : messageOf(error);
}

/** A call Node refused to send (a header value it cannot carry): nothing reached the backend. */
export function localFailure(
  call: string,
  error: unknown,
  headerInputs: readonly string[] = ['token'],
): BackendCallError {
  const inputs = headerInputs.map((name) => `\`${name}\``).join(', ');
  return new BackendCallError(
    call,
    `${call} could not be sent: ${describeConnectionError(error)}. Nothing reached the backend; check the inputs that go into headers (${inputs}).`,
  );
}

/** A call that could not reach the service, after its attempts. */
export function connectionFailure(
  call: string,
  error: unknown,
  attempts: number,
  urlSetting: string,
  service: string,
): UnreachableError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new UnreachableError(
    call,
    `${call} could not reach ${service}${tries}: ${describeConnectionError(error)}. Check ${urlSetting}, the network and any proxy settings.`,
    undefined,
    !neverReachedServer(error),
  );
}

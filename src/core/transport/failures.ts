import {
  BackendCallError,
  messageOf,
  UnreachableError,
  WrongAddressError,
} from '../support/errors.js';
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

/**
 * A call that never reached the backend because its address is wrong (see
 * `wrongAddressAttempts`): one sentence naming the setting that holds the URL, and what to fix.
 */
export function wrongAddress(
  call: string,
  error: unknown,
  attempts: number,
  urlSetting: string,
  url: URL,
): WrongAddressError {
  const code = connectionErrorCode(error);
  // The host the error names (a proxy's, where one is used), else the URL's own.
  const named = (error as { hostname?: unknown } | null)?.hostname;
  const host = typeof named === 'string' && named ? named : url.hostname;
  const message =
    code === 'ENOTFOUND'
      ? `${call} could not reach ${url.origin}: the host ${host} does not resolve (ENOTFOUND); check ${urlSetting} for a typo, or the proxy settings.`
      : `${call} could not reach ${url.origin}: the connection was refused${attempts > 1 ? ` ${attempts} times` : ''} (ECONNREFUSED), so nothing listens there; check ${urlSetting} (its host and port), or the proxy settings.`;
  return new WrongAddressError(call, message);
}

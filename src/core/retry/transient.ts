import {
  BackendCallError,
  RetryLaterError,
  UnreachableError,
  WrongAddressError,
} from '../support/errors.js';

/** HTTP statuses after which a new run may succeed: the backend was busy, failing, or timed out. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429]);

/**
 * Whether an attempt that threw may succeed if started again: a backend that could not be
 * reached (but at an address that is wrong: no such host, nothing listening) or answered a 5xx, 408 or 429 after the transport's own retries. Not a 4xx (a bad
 * token, a campaign that does not exist: the same again), not an answer the gate refused to
 * trust (it fails closed, and a backend that lies is not made honest by asking twice), not a
 * `Retry-After` past the timeout, not the timeout (no time is left) and not a cancelled job.
 */
export function isTransient(error: unknown): boolean {
  // A host that does not resolve, or a refused port before any answer: a wrong `base_url`.
  if (error instanceof WrongAddressError) return false;
  if (error instanceof UnreachableError) return true;
  // Asked to wait past the timeout: a new run now would only be refused again, and hammer it.
  if (error instanceof RetryLaterError) return false;
  if (!(error instanceof BackendCallError) || error.status === undefined) return false;
  return error.status >= 500 || TRANSIENT_STATUSES.has(error.status);
}

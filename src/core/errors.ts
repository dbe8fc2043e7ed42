/**
 * Errors the gate can end with. Each one carries a message a reviewer can act on: what went
 * wrong, where, and what to change.
 */

/** An input (or a file an input names) is malformed or contradicts another; raised before any network call. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A call to the backend failed or answered something the gate cannot trust. */
export class BackendCallError extends Error {
  override readonly name = 'BackendCallError';
  constructor(
    /** The call, as `METHOD /path`. */
    readonly call: string,
    message: string,
    /** HTTP status, when the backend answered at all. */
    readonly status?: number,
    /** The request may have been carried out although no answer says so (a lost response, a 5xx). */
    readonly mayHaveBeenProcessed = false,
  ) {
    super(message);
  }
}

/** The overall `timeout` ran out before the gate reached a verdict. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

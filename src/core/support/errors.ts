/**
 * Errors the gate can end with. Each one carries a message a reviewer can act on: what went
 * wrong, where, and what to change.
 */

/**
 * A message that lists problems (``Inputs are invalid:`` and a `- ` line each, as
 * {@link InputError} writes it) taken apart: its heading and its items; undefined for a message
 * of one sentence. Renderers show it as a list, and a title as its heading alone.
 */
export function listedProblems(message: string): { heading: string; items: string[] } | undefined {
  const [heading = '', ...rest] = message.split('\n');
  if (rest.length === 0 || !rest.every((line) => line.startsWith('- '))) return undefined;
  return { heading, items: rest.map((line) => line.slice(2)) };
}

/** An input (or a file an input names) is malformed or contradicts another; raised before any network call. */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** One sentence per problem, each naming its input: problems found together are reported together. */
  readonly problems: string[];

  constructor(problems: string | string[]) {
    // A problem found twice (two checks of one input) is said once.
    const list = [
      ...new Set(
        (Array.isArray(problems) ? problems : [problems]).map((p) =>
          /[.?!]$/.test(p) ? p : `${p}.`,
        ),
      ),
    ];
    super(
      list.length === 1
        ? (list[0] ?? '')
        : `Inputs are invalid:\n${list.map((p) => `- ${p.replace(/^Input /, '')}`).join('\n')}`,
    );
    this.problems = list;
  }

  /** Every problem of `errors` in one error; anything that is not an InputError is rethrown. */
  static combine(errors: unknown[]): InputError | undefined {
    const problems = errors.flatMap((error) => {
      if (error instanceof InputError) return error.problems;
      throw error;
    });
    return problems.length > 0 ? new InputError(problems) : undefined;
  }
}

/** A call to the backend failed or answered something the gate cannot trust. */
export class BackendCallError extends Error {
  override readonly name: string = 'BackendCallError';
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

/** A call that could not reach the backend at all, after the transport's own attempts: the network or the backend is down. */
export class UnreachableError extends BackendCallError {
  override readonly name: string = 'UnreachableError';
}

/**
 * The address itself is wrong: a name the resolver says does not exist, or a port where nothing
 * listens, before the backend ever answered. Another run would be answered the same, so it is
 * not started again (`retry_errors`).
 */
export class WrongAddressError extends UnreachableError {
  override readonly name: string = 'WrongAddressError';
}

/** The backend asked to be called again later than the gate's `timeout` allows (`Retry-After`): no retry may start before then. */
export class RetryLaterError extends BackendCallError {
  override readonly name: string = 'RetryLaterError';
}

/** The overall `timeout` ran out before the gate reached a verdict. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

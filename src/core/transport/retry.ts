/** HTTP statuses worth another try: the backend is busy or a proxy in front of it is. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Statuses that say the server turned the request away before acting on it, so even a request
 * that must not run twice may be sent again.
 */
export const REJECTED_UNPROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Connection errors that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The attempts a connection error gets while the backend has not answered once, where the
 * address itself looks wrong: one for a name the resolver says does not exist (`ENOTFOUND`:
 * asking again says the same; `EAI_AGAIN`, a resolver that could not answer, is retried as
 * usual), two for a refused connection (`ECONNREFUSED`: one more try for a backend restarting).
 * Undefined for any other error, which gets the usual attempts.
 */
export function wrongAddressAttempts(error: unknown): number | undefined {
  const code = connectionErrorCode(error);
  return code === 'ENOTFOUND' ? 1 : code === 'ECONNREFUSED' ? 2 : undefined;
}

/** The error code of a failed connection, when Node gave one. */
export function connectionErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when a failed request surely never reached the server. */
export function neverReachedServer(error: unknown): boolean {
  return NOT_SENT_CODES.has(connectionErrorCode(error) ?? '');
}

/**
 * True for errors Node raises before anything is sent (`ERR_INVALID_CHAR` for a header value
 * holding a line break, `ERR_INVALID_URL`, ...): sending again cannot help, and blaming the
 * network would mislead.
 */
export function isLocalError(error: unknown): boolean {
  return connectionErrorCode(error)?.startsWith('ERR_') ?? false;
}

/** Backoff for the given attempt (1-based): exponential from `baseMs`, capped, with jitter. */
export function backoffMs(
  attempt: number,
  random: () => number,
  baseMs = 500,
  capMs = 8000,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  // Jitter between half and the whole ceiling: spreads a fleet of gates, keeps a floor.
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

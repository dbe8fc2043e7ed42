/**
 * Removes every known secret from a value bound for places the runner does not mask: PR
 * comments, check runs, the report file. A backend or a proxy that echoes a request header
 * into its error message must not publish the token.
 */
export function redactSecrets<T>(value: T, secrets: readonly (string | undefined)[]): T {
  // Very short values would blank out ordinary words; the runner ignores them for masking too.
  const live = secrets.filter((secret): secret is string => secret !== undefined && secret.trim().length >= 4);
  if (live.length === 0) return value;
  const scrub = (text: string) => live.reduce((result, secret) => result.split(secret).join('***'), text);
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => (typeof item === 'string' ? scrub(item) : item)) as T;
}

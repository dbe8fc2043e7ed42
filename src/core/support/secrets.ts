/**
 * Removes every known secret from a value bound for places the runner does not mask: PR
 * comments, check runs, the report file. A backend or a proxy that echoes a request header
 * into its error message must not publish the token.
 */
export function redactSecrets<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (liveSecrets(secrets).length === 0) return value;
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) =>
    typeof item === 'string' ? redactText(item, secrets) : item,
  ) as T;
}

/** `text` with every known secret replaced by `***`. */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  return liveSecrets(secrets).reduce((result, secret) => result.split(secret).join('***'), text);
}

function liveSecrets(secrets: readonly (string | undefined)[]): string[] {
  // Very short values would blank out ordinary words; the runner ignores them for masking too.
  return secrets.filter(
    (secret): secret is string => secret !== undefined && secret.trim().length >= 4,
  );
}

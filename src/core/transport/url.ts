import { isIP } from 'node:net';

/** True for localhost, 127.0.0.0/8 and ::1: the only hosts plain `http://` is allowed to. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Why `url` may not carry a credential, or undefined when it may: https anywhere, http only to
 * a loopback host.
 */
export function insecureUrlReason(url: URL): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol === 'http:')
    return `plain http to ${url.host} would send the token unencrypted; use https`;
  return `the ${url.protocol} scheme is not supported; use https`;
}

// Preloaded (NODE_OPTIONS=--import) into a bundle a test starts: the resolver's answer for a name
// under `.invalid` (RFC 6761: it never resolves), "no such host", at once and without asking a
// DNS server, so that a test talks to nothing beyond 127.0.0.1. Every other name resolves as usual.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  if (typeof hostname === 'string' && hostname.endsWith('.invalid')) {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      errno: -3008,
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(done, error);
    return {};
  }
  // The arguments as the caller gave them.
  return lookup.apply(this, arguments);
};
syncBuiltinESMExports();

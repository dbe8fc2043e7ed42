import { z } from 'zod';
import { insecureUrlReason } from '../transport/url.js';
import { optionalText } from './fields.js';

/* The field types of the shared inputs that need more than a generic field (fields.ts). */

/** `base_url`: an https API root (http to a loopback host only), without credentials, query or fragment. */
export const httpsUrl = optionalText().transform((text, ctx) => {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `is "${text}", not a URL; write the API root, e.g. https://api.example.com`,
    });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message:
        'holds credentials (`user:password@`); the gate would send them in the clear to every hop: put the credential in `token` and write the bare API root',
    });
    return z.NEVER;
  }
  if (url.search || url.hash) {
    ctx.addIssue({
      code: 'custom',
      message: `has a ${url.search ? 'query' : 'fragment'} (\`${url.search || url.hash}\`); paths are appended to \`base_url\`, so write the bare API root, e.g. ${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    });
    return z.NEVER;
  }
  const insecure = insecureUrlReason(url);
  if (insecure) {
    ctx.addIssue({ code: 'custom', message: `is refused: ${insecure}` });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});

/** `repeats`: a whole number from 1 to 20, or `auto`. */
export const repeatCount = optionalText().transform((text, ctx): number | 'auto' => {
  if (text === undefined) return 1;
  if (text.toLowerCase() === 'auto') return 'auto';
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= 1 && value <= 20) return value;
  ctx.addIssue({
    code: 'custom',
    message: `is "${text}"; write a whole number from 1 to 20, or \`auto\``,
  });
  return z.NEVER;
});

/**
 * A credential goes into an HTTP header: a line break or another control character (a secret
 * pasted with its newline) can never be sent, so it is an input error at once. The value is
 * never echoed.
 */
export const credential = <T extends z.ZodType<string | undefined>>(schema: T) =>
  schema.refine((value) => value === undefined || /^[\x20-\x7e]*$/.test(value), {
    message:
      'holds a line break, a control character or a non-ASCII character, which cannot be sent in an HTTP header; copy the secret again without them',
  });

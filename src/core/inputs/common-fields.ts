import { z } from 'zod';
import { insecureUrlReason } from '../transport/url.js';
import { optionalText } from './fields.js';

/* The field types of the shared inputs that need more than a generic field (fields.ts). */

/**
 * An API root as `base_url` takes it, normalized (scheme and host in lower case, no default
 * port, no trailing `/`), or why it is refused: not a URL, credentials, a query or a fragment,
 * or plain http to a host that is not loopback. Two roots are the same API root when their
 * normalized forms are equal.
 */
export function apiRootOf(text: string): { root: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `is "${text}", not a URL; write the API root, e.g. https://api.example.com` };
  }
  if (url.username || url.password)
    return {
      problem:
        'holds credentials (`user:password@`); the gate would send them in the clear to every hop: put the credential in `token` and write the bare API root',
    };
  if (url.search || url.hash)
    return {
      problem: `has a ${url.search ? 'query' : 'fragment'} (\`${url.search || url.hash}\`); paths are appended to \`base_url\`, so write the bare API root, e.g. ${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    };
  const insecure = insecureUrlReason(url);
  if (insecure) return { problem: `is refused: ${insecure}` };
  return { root: url.href.replace(/\/+$/, '') };
}

/** `base_url`: an https API root (http to a loopback host only), without credentials, query or fragment. */
export const httpsUrl = optionalText().transform((text, ctx) => {
  if (text === undefined) return undefined;
  const read = apiRootOf(text);
  if ('root' in read) return read.root;
  ctx.addIssue({ code: 'custom', message: read.problem });
  return z.NEVER;
});

/** How a list input is written: its items separated by commas, spaces or new lines (a YAML `|` block, one a line). */
const LIST_SEPARATOR = /[\s,]+/;

/** The items of a list input as written (`A, B` or one a line), each once. */
export const listItems = (text: string | undefined): string[] => [
  ...new Set((text ?? '').split(LIST_SEPARATOR).filter(Boolean)),
];

/** Items of a list input (`A, B` or one a line), at most `max`. */
const listOf = (what: string, max: number) =>
  optionalText().transform((text, ctx): string[] => {
    const items = (text ?? '').split(LIST_SEPARATOR).filter(Boolean);
    if (items.length <= max) return [...new Set(items)];
    ctx.addIssue({ code: 'custom', message: `lists ${items.length} ${what}; at most ${max}` });
    return z.NEVER;
  });

/** A variable name, as `token_env` names one. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `allowed_token_env`: names of environment variables, separated by commas, spaces or new lines. */
export const variableList = listOf('variables', 100).transform((names, ctx) => {
  // Every wrong item, once: fixing the first must not reveal the next on the following run.
  const wrong = names.filter((name) => !VARIABLE_NAME.test(name));
  if (wrong.length === 0) return names;
  ctx.addIssue({
    code: 'custom',
    message: `lists ${wrong.map((name) => `"${name.slice(0, 60)}"`).join(', ')}, not ${wrong.length === 1 ? 'a variable name' : 'variable names'}; write names such as \`TRULAYER_API_KEY\`, separated by commas, spaces or new lines`,
  });
  return z.NEVER;
});

/** `allowed_base_urls`: API roots (as `base_url` takes one), separated by commas, spaces or new lines; normalized. */
export const apiRootList = listOf('API roots', 100).transform((texts, ctx) => {
  const roots: string[] = [];
  texts.forEach((text, index) => {
    const read = apiRootOf(text);
    if ('root' in read) roots.push(read.root);
    else ctx.addIssue({ code: 'custom', message: `item ${index + 1} ${read.problem}` });
  });
  return roots.length === texts.length ? [...new Set(roots)] : z.NEVER;
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

/** The level of the case-by-case regression test when `regression_alpha` is not given. */
export const DEFAULT_REGRESSION_ALPHA = 0.05;

/** `regression_alpha`: a level in (0, 0.5], or `off` (undefined). */
export const regressionAlpha = optionalText().transform((text, ctx): number | undefined => {
  if (text === undefined) return DEFAULT_REGRESSION_ALPHA;
  if (text.toLowerCase() === 'off') return undefined;
  const value = Number(text);
  if (/^\d*\.?\d+$/.test(text) && value > 0 && value <= 0.5) return value;
  ctx.addIssue({
    code: 'custom',
    message: `is "${text}"; write a level above 0 and at most 0.5 (e.g. 0.05), or \`off\``,
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

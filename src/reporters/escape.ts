import { truncate } from '../text.js';

/**
 * Escaping for anything a backend said before it reaches markdown: no raw HTML, no links or
 * images, no live @mentions, no table breakage.
 */

const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+\-.!|~<>]/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside a markdown paragraph or table cell, cut to `max` characters. */
export function escapeText(value: string, max = 300): string {
  // Control characters are stripped on purpose: they have no place in a report.
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  return truncate(flat, max)
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(MARKDOWN_SPECIALS, (c) => (c === '<' || c === '>' ? c : `\\${c}`))
    .replace(/@/g, '&#64;')
    .replace(/:\/\//g, ':&#47;&#47;');
}

/** A value shown as inline code: code spans render nothing inside them, so only backticks and line breaks must go. */
export function codeSpan(value: string, max = 80): string {
  const flat = value.replace(/[`\r\n\u2028\u2029]+/g, ' ').trim();
  return `\`${truncate(flat, max)}\``;
}

/** An http(s) URL safe to link to, or undefined: other schemes and malformed URLs are dropped. */
export function safeUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    // Parentheses would end a markdown link early; percent-encoding keeps the URL the same.
    return url.href.replace(/[()<>\s"']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}

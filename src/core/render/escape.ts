import { truncate, UNPRINTABLE } from '../support/text.js';
import { defuseMarkers } from './marker.js';

/**
 * Escaping for anything a backend said before it reaches markdown that GitHub or GitLab renders:
 * no raw HTML, no links or images, no math, no live @mentions or references, no table breakage,
 * and the text reads as it was written (an apostrophe shows as an apostrophe).
 */

/*
 * A backslash goes only where a character would mean something, so that the file reads as the
 * rendered comment does (`0.72 < 0.85`, not `0\.72 \< 0\.85`): everywhere for the characters
 * that open emphasis, code, links, tables, strikethrough, math and GitLab's inline diffs; `<`
 * where it could open a tag or an autolink, `&` where it could open an entity; and the markers
 * of a block (a heading, a quote, a list, a rule) where the text begins a line.
 */
/** Characters that mean something wherever they stand: always escaped. */
const ALWAYS_ESCAPED = /[\\`*_{}[\]|~$]|<(?=[A-Za-z/!?])|&(?=[A-Za-z0-9#])/g;
/** What opens a block at the start of a line: a heading, a quote, a list item or a rule, a setext underline. */
const BLOCK_START = /^( {0,3})([#>+=-]|\d{1,9}(?=[.)]))/;
/**
 * GitHub finds @mentions, email and bare-URL autolinks and references (`#123`, `GH-123`,
 * `owner/repo#12`, commit ids of 7 to 40 hex digits) in the rendered text, after escapes and
 * entities are decoded; a zero-width joiner inside the pattern is the one break it honours,
 * and a reader does not see it.
 */
const ZWJ = '\u200d';
const AUTOLINK_TRIGGERS = /@|:\/\/|\bwww\.|#(?=\d)|\bgh-(?=\d)/gi;
/**
 * GitLab finds its references in the rendered text too, backslashes or not: `!1` merge
 * requests, `~label`, `%milestone`, `$1` snippets, `&1` epics (and `@user`, `#1` above). The
 * same joiner after the sigil keeps each one plain text.
 */
const GITLAB_REFERENCE = /[!~%$&](?=[\p{L}\p{N}_"])/gu;
/**
 * A word of 7 to 40 hex digits could name a commit, which GitHub would link. It becomes a code
 * span: GitHub links no reference inside code, and the id is copied whole (a joiner inside it
 * would break a pasted id).
 */
const COMMIT_ID =
  /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{7,40})\b/i;

/**
 * Text safe inside a markdown paragraph or table cell, cut to `max` characters; `midLine` when
 * it is placed after other text on its line (no block marker to escape at its start).
 */
export function escapeText(value: string, max = 300, midLine = false): string {
  // Control characters (C1 too) and the bidirectional overrides, which reorder what a reviewer
  // reads, are stripped on purpose: they have no place in a report.
  const flat = value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(UNPRINTABLE, '');
  // Split on commit-id words (odd parts): those are code spans, the rest is escaped.
  return truncate(flat, max)
    .split(COMMIT_ID)
    .map((part, i) => (i % 2 === 1 ? `\`${part}\`` : escapePlain(part, i === 0 && !midLine)))
    .join('');
}

function escapePlain(text: string, atLineStart: boolean): string {
  const escaped = defuseMarkers(text)
    .replace(AUTOLINK_TRIGGERS, (trigger) =>
      /^gh-$/i.test(trigger)
        ? `${trigger}${ZWJ}`
        : `${trigger.slice(0, 1)}${ZWJ}${trigger.slice(1)}`,
    )
    .replace(GITLAB_REFERENCE, (sigil) => `${sigil}${ZWJ}`)
    .replace(ALWAYS_ESCAPED, (c) => `\\${c}`);
  if (!atLineStart) return escaped;
  // A digit keeps its place: the `.` or `)` after it is what would make an ordered list.
  return escaped.replace(BLOCK_START, (_, indent: string, marker: string) =>
    /^\d/.test(marker) ? `${indent}${marker}\\` : `${indent}\\${marker}`,
  );
}

/**
 * A value shown as inline code: code spans render nothing inside them, so only backticks, line
 * breaks and (for table cells) pipes must go, and `<!--`, which a code span shows but the gate's
 * own look-up for its marker would read.
 */
export function codeSpan(value: string, max = 80): string {
  const flat = value
    .replace(/[`|\r\n\u2028\u2029]+/g, ' ')
    .replace(UNPRINTABLE, '')
    .trim();
  return `\`${defuseMarkers(truncate(flat, max))}\``;
}

/**
 * The gate's own sentence that quotes names in backticks (a changed file, a config file) with
 * each quoted name as inline code and the rest escaped: a name that is data (a file a pull
 * request adds) is shown, never rendered.
 */
export function quotedText(value: string, max = 300): string {
  return truncate(value, max)
    .split(/`([^`]*)`/)
    .map((part, i) =>
      i % 2 === 1 ? codeSpan(part, 200) : part ? escapeText(part, max, i > 0) : '',
    )
    .join('');
}

/** An http(s) URL safe to link to, or undefined: other schemes and malformed URLs are dropped. */
export function safeUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    // Parentheses would end a markdown link early; percent-encoding keeps the URL the same.
    return url.href.replace(
      /[()<>\s"']/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
  } catch {
    return undefined;
  }
}

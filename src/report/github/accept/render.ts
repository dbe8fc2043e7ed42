import type { BaselineRecord } from '../../../core/baseline/record.js';
import { codeSpan, escapeText, safeUrl } from '../../../core/render/escape.js';
import { truncate } from '../../../core/support/text.js';

/*
 * What an acceptance (or its revocation) says where reviewers look: the lines at the top of
 * the check and the sticky comment, the check's title, and the reply to the command. Every
 * word a user wrote (the reason) is escaped like a backend's text: no mention, reference,
 * HTML, link or workflow command survives it.
 */

/** Where the verdict as the gate wrote it begins in an accepted (or revoked) check's summary. */
export const ORIGINAL_VERDICT = '<!-- agent-reliability-gate:original-verdict -->';
/** The block an acceptance puts at the top of the sticky comment, between these two. */
export const ACCEPTANCE_START = '<!-- agent-reliability-gate:acceptance -->';
export const ACCEPTANCE_END = '<!-- /agent-reliability-gate:acceptance -->';

/** Lines of a reason shown; the record keeps it whole (up to its limit). */
const REASON_MAX_LINES = 20;

/** Who did it and through which comment: what every line about an acceptance names. */
export interface Actor {
  login: string;
  at: Date;
  commentUrl?: string;
}

/** A GitHub login in bold, never a live mention. */
export const who = (login: string) => `**${escapeText(login, 100)}**`;

/** `2026-12-03 14:05 UTC`: when, as a reviewer reads it. */
export const when = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const throughComment = (actor: Actor) => {
  const url = safeUrl(actor.commentUrl);
  return url ? ` with [this comment](${url})` : '';
};

/** A reason as a block quote: each line escaped, at most {@link REASON_MAX_LINES} of them. */
export function quotedReason(reason: string): string {
  const lines = reason
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const shown = lines.slice(0, REASON_MAX_LINES).map((line) => `> ${escapeText(line, 300)}`);
  if (lines.length > REASON_MAX_LINES)
    shown.push(`> … ${lines.length - REASON_MAX_LINES} more lines, in the check's record`);
  return shown.join('\n>\n');
}

/** The lines an acceptance puts above the verdict, in the check and in the sticky comment. */
export function acceptedBlock(record: BaselineRecord, actor: Actor, reason: string): string {
  return [
    `### ✅ Accepted by ${who(actor.login)}`,
    '',
    `The ${codeSpan(record.decision)} verdict below, on ${codeSpan(record.headSha.slice(0, 12))}, was accepted on ${when(actor.at)} by ${who(actor.login)}${throughComment(actor)}. ` +
      `It stays a ${codeSpan(record.decision)} on the record: it is no baseline for later changes, and a push gates the new commit afresh. \`/gate revoke\` undoes it.`,
    '',
    '**Why:**',
    '',
    quotedReason(reason),
  ].join('\n');
}

/** The lines a revocation puts above the verdict. */
export function revokedBlock(
  record: BaselineRecord,
  actor: Actor,
  conclusion: string,
  reason: string,
): string {
  return [
    `### ↩️ Acceptance revoked by ${who(actor.login)}`,
    '',
    `The acceptance of the ${codeSpan(record.decision)} verdict below, on ${codeSpan(record.headSha.slice(0, 12))}, was revoked on ${when(actor.at)} by ${who(actor.login)}${throughComment(actor)}: the check is back to the gate's own conclusion, ${codeSpan(conclusion)}.`,
    ...(reason ? ['', '**Why:**', '', quotedReason(reason)] : []),
  ].join('\n');
}

/** The verdict as the gate wrote it, from a check's summary: past an earlier acceptance's lines, when it has them. */
export function originalVerdict(summary: string): string {
  const at = summary.indexOf(ORIGINAL_VERDICT);
  return at < 0 ? summary : summary.slice(at + ORIGINAL_VERDICT.length).replace(/^\n+/, '');
}

/** A check's summary: `block` on top, then the verdict as the gate wrote it, unchanged, within `maxChars`. */
export function checkSummary(block: string, original: string, maxChars: number): string {
  const head = `${block}\n\n---\n\n${ORIGINAL_VERDICT}\n`;
  return head + truncate(original, Math.max(0, maxChars - head.length));
}

/** The sticky comment with `block` at its top, in place of an earlier acceptance's. */
export function withBlockOnTop(body: string, block: string): string {
  const start = body.indexOf(ACCEPTANCE_START);
  const end = body.indexOf(ACCEPTANCE_END);
  const rest =
    start === 0 && end > start ? body.slice(end + ACCEPTANCE_END.length).replace(/^\n+/, '') : body;
  return `${ACCEPTANCE_START}\n${block}\n\n---\n${ACCEPTANCE_END}\n\n${rest}`;
}

/** A check title within GitHub's limit. */
export const checkTitle = (prefix: string, original: string) =>
  truncate(`${prefix}: ${original}`, 200);

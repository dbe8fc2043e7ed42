import type { BaselineRecord } from '../../../core/baseline/record.js';
import { ACCEPT_REASON_MAX_CHARS } from '../../../core/baseline/record.js';
import { truncate } from '../../../core/support/text.js';
import { CHECK_SUMMARY_MAX_CHARS } from '../check.js';
import type { GateCommand } from './command.js';
import type { HeadVerdict } from './head-verdict.js';
import {
  acceptedBlock,
  type Actor,
  checkSummary,
  checkTitle,
  originalVerdict,
  revokedBlock,
} from './render.js';

/** The check an acceptance (or a revocation) completes: its conclusion, title, summary and record. */
export function acceptanceCheck(command: GateCommand, head: HeadVerdict, at: Date) {
  const by = command.comment.author;
  const actor: Actor = {
    login: by,
    at,
    ...(command.comment.url ? { commentUrl: command.comment.url } : {}),
  };
  const reason = truncate(command.reason, ACCEPT_REASON_MAX_CHARS);
  const original = originalVerdict(head.summary);
  const accepted = head.record.accepted;
  // A revocation puts back the conclusion the gate gave, never a pass: an accepted verdict was a fail or a warning.
  const restored =
    accepted?.conclusion && accepted.conclusion !== 'success' ? accepted.conclusion : 'failure';
  const check =
    command.verb === 'accept'
      ? {
          kind: 'accepted' as const,
          decision: 'pass' as const,
          conclusion: 'success',
          title: checkTitle(`Accepted by ${by}`, head.title),
          block: acceptedBlock(head.record, actor, reason),
          record: {
            ...withoutAcceptance(head.record),
            accepted: {
              by,
              at: at.toISOString(),
              reason,
              commentId: command.comment.id,
              ...(command.comment.url ? { commentUrl: truncate(command.comment.url, 500) } : {}),
              conclusion: head.conclusion,
              title: truncate(head.title, 300),
            },
          },
        }
      : {
          kind: 'revoked' as const,
          decision: head.record.decision,
          conclusion: restored,
          title: checkTitle(`Acceptance revoked by ${by}`, accepted?.title ?? head.record.decision),
          block: revokedBlock(head.record, actor, restored, reason),
          record: {
            ...withoutAcceptance(head.record),
            revoked: { by, at: at.toISOString(), commentId: command.comment.id },
          },
        };
  return { ...check, summary: checkSummary(check.block, original, CHECK_SUMMARY_MAX_CHARS) };
}

/** The record as the gate wrote it: no acceptance, no revocation. */
function withoutAcceptance(record: BaselineRecord): BaselineRecord {
  const rest = { ...record };
  delete rest.accepted;
  delete rest.revoked;
  return rest;
}

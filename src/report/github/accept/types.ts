import type { BaselineRecord } from '../../../core/baseline/record.js';
import type { Decision } from '../../../core/verdict/decision.js';
import type { GitHub } from '../octokit.js';
import type { AcceptRole } from './permission.js';

/** Where a command is carried out, and by whose leave. */
export interface AcceptPlace {
  owner: string;
  repo: string;
  /** This step's gate: a command naming another `check_name` is not for it. */
  checkName: string;
  /** The least role that may accept (`accept_permission`). */
  acceptPermission: AcceptRole;
  /** Whether the sticky comment gains the acceptance's lines (`comment`). */
  comment: boolean;
}

/** What a command came to. `ignored` and `refused` change no check; `failed` could not be carried out (GitHub). */
export type CommandOutcome =
  | { kind: 'ignored'; why: string }
  | {
      kind: 'refused';
      why: string;
      by: string;
      decision?: Decision;
      /** Who accepted the verdict, when it was accepted already. */
      acceptedBy?: string;
      /** Set when a check was begun before the refusal (another app's verdict, a gate begun again), and completed as this app last concluded. */
      checkBegun?: boolean;
    }
  | { kind: 'failed'; why: string; by: string }
  | {
      kind: 'accepted' | 'revoked';
      by: string;
      /** `pass` when accepted; the gate's own decision when revoked. */
      decision: Decision;
      reason: string;
      headSha: string;
      /** The record the new check holds: the gate's decision, and the acceptance (or its revocation). */
      record: BaselineRecord;
      /** The new check's conclusion and what it shows (its lines on top, then the verdict as the gate wrote it). */
      conclusion: string;
      summary: string;
    };

/**
 * The command's GitHub: `calls` for every call but one, bounded to leave the end of the
 * command's budget to `completing`, which only completes the check the command began (or its
 * fallback). A slow GitHub or a cancel then never leaves that check in progress, where every
 * later command would read it as a gate still running.
 */
export interface CommandGitHub {
  calls: GitHub;
  completing: GitHub;
}

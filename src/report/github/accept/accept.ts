import type { BaselineRecord } from '../../../core/baseline/record.js';
import { ACCEPT_REASON_MAX_CHARS } from '../../../core/baseline/record.js';
import { hideRecord } from '../../../core/baseline/encode.js';
import { commentMarker } from '../../../core/render/marker.js';
import { codeSpan, escapeText } from '../../../core/render/escape.js';
import { messageOf } from '../../../core/support/errors.js';
import type { GateLog } from '../../../core/support/log.js';
import { redactText } from '../../../core/support/secrets.js';
import { truncate } from '../../../core/support/text.js';
import type { Decision } from '../../../core/verdict/decision.js';
import { CHECK_SUMMARY_MAX_CHARS } from '../check.js';
import { COMMENT_MAX_CHARS, readStickyComment } from '../comment.js';
import type { GitHub } from '../octokit.js';
import { readPullRequest } from '../pull.js';
import { statusOf } from '../status.js';
import type { GateCommand } from './command.js';
import {
  checkNamesOn,
  type HeadVerdict,
  quotedNames,
  readCheckRuns,
  readHeadVerdict,
  REFUSAL_MARK,
} from './head-verdict.js';
import { type AcceptRole, reaches, readUserRole } from './permission.js';
import {
  acceptedBlock,
  type Actor,
  checkSummary,
  checkTitle,
  originalVerdict,
  revokedBlock,
  withBlockOnTop,
} from './render.js';

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
 * Carries out `/gate accept` or `/gate revoke` for this step's gate (CONTRACT.md, section 9):
 * the commenter's role must reach `accept_permission`; the pull request's current head, read
 * from GitHub, must carry this gate's completed verdict, failing (or warning) to accept, an
 * accepted one to revoke. Then a new check run of that name on that commit says so above the
 * verdict as the gate wrote it, the sticky comment gains the same lines, and the command gets a
 * reply. A refusal changes no check and says why in the reply, `secrets` redacted from it.
 * Never throws.
 */
export async function carryOutCommand(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  log: GateLog,
  secrets: readonly (string | undefined)[] = [],
  now: () => Date = () => new Date(),
): Promise<CommandOutcome> {
  const decided =
    command.checkName !== undefined && command.checkName !== place.checkName
      ? await forAnotherGate(github, command, place, command.checkName)
      : await decide(github, command, place, log, now);
  // GitHub's own error text is quoted in a refusal; no secret goes into the reply with it.
  const outcome =
    'why' in decided ? { ...decided, why: redactText(decided.why, secrets) } : decided;
  if (outcome.kind !== 'ignored') await reply(github, command, place, outcome, log);
  return outcome;
}

/**
 * A command naming another check than this step's: another step's to carry out when the head
 * has a check of that name. When it has none, no step will answer, so this one does: the name
 * is likely a reason written on the command's line, or a check name mistyped.
 */
async function forAnotherGate(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  named: string,
): Promise<CommandOutcome> {
  const ignored: CommandOutcome = {
    kind: 'ignored',
    why: `the command is for the check "${named}", and this step's gate is "${place.checkName}"`,
  };
  const { owner, repo } = place;
  // Only someone whose command could be carried out is answered: no reply for anyone else to provoke.
  const role = await readUserRole(github, { owner, repo, username: command.comment.author });
  if ('unread' in role || !reaches(role.role, place.acceptPermission)) return ignored;
  const pull = await readPullRequest(github, {
    owner,
    repo,
    pullRequestNumber: command.pullRequestNumber,
  });
  if ('unread' in pull) return ignored;
  const names = await checkNamesOn(github, { owner, repo, headSha: pull.headSha });
  if (!names || names.includes(named)) return ignored;
  return {
    kind: 'refused',
    by: command.comment.author,
    why: `the head commit ${pull.headSha.slice(0, 12)} has no check "${named}"${names.length > 0 ? ` (the checks there are ${quotedNames(names)})` : ''}. After \`/gate ${command.verb}\` the first line takes only a check's exact name; write the reason on the lines after it`,
  };
}

async function decide(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  log: GateLog,
  now: () => Date,
): Promise<CommandOutcome> {
  const { owner, repo, checkName } = place;
  const by = command.comment.author;
  const refused = (why: string, decision?: Decision, acceptedBy?: string): CommandOutcome => ({
    kind: 'refused',
    why,
    by,
    ...(decision ? { decision } : {}),
    ...(acceptedBy ? { acceptedBy } : {}),
  });
  const failed = (why: string): CommandOutcome => ({ kind: 'failed', why, by });
  const role = await readUserRole(github, { owner, repo, username: by });
  if ('unread' in role) return failed(`${by}'s permission on ${owner}/${repo}: ${role.unread}`);
  if (!reaches(role.role, place.acceptPermission))
    return refused(
      `${by} may not ${command.verb} a verdict: their role on ${owner}/${repo} is ${role.custom ? `the custom role "${role.custom}", read as ${role.role}` : role.role}, and \`accept_permission\` asks for ${place.acceptPermission} at least`,
    );
  if (command.verb === 'accept' && !command.reason)
    return refused(
      'a reason is required: write it on the lines after `/gate accept`, for the record and for the reviewers who read the check',
    );
  const pull = await readPullRequest(github, {
    owner,
    repo,
    pullRequestNumber: command.pullRequestNumber,
  });
  if ('unread' in pull) return failed(`pull request #${command.pullRequestNumber}: ${pull.unread}`);
  if (pull.state === 'closed')
    return refused(
      `pull request #${command.pullRequestNumber} is ${pull.merged ? 'merged' : 'closed'}: an acceptance is for the head of an open pull request`,
    );
  const head = await readHeadVerdict(github, { owner, repo, headSha: pull.headSha, checkName });
  if ('unread' in head) return failed(head.unread);
  if ('none' in head) return refused(head.none);
  const { record } = head;
  if (command.verb === 'accept') {
    if (record.accepted)
      return refused(
        `the verdict on ${pull.headSha.slice(0, 12)} is already accepted, by ${record.accepted.by} on ${record.accepted.at.slice(0, 16).replace('T', ' ')} UTC`,
        'pass',
        record.accepted.by,
      );
    if (record.decision === 'pass')
      return refused(
        `the verdict on ${pull.headSha.slice(0, 12)} passed: there is nothing to accept`,
        'pass',
      );
  } else if (!record.accepted)
    return refused(
      `the verdict on ${pull.headSha.slice(0, 12)} is not accepted: there is nothing to revoke`,
      record.decision,
    );
  return writeCheck(github, command, place, pull.headSha, head, log, now());
}

/**
 * The new check run: begun in progress, which names the app this token writes as; completed
 * as accepted (or revoked) only when that app wrote the verdict, and no other run of the check
 * began on the commit meanwhile (a gate started again, whose verdict decides). Otherwise the
 * command is refused, and the check begun concludes as {@link standingBeside} says: a refusal
 * never turns a check into a pass.
 */
async function writeCheck(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  headSha: string,
  head: HeadVerdict,
  log: GateLog,
  at: Date,
): Promise<CommandOutcome> {
  const { owner, repo, checkName } = place;
  const by = command.comment.author;
  const short = headSha.slice(0, 12);
  let begun: { id: number; app: string };
  try {
    const { data } = await github.rest.checks.create({
      owner,
      repo,
      name: checkName,
      head_sha: headSha,
      status: 'in_progress',
      started_at: at.toISOString(),
      output: {
        title: `Recording ${by}'s ${command.verb}`,
        summary: `\`/gate ${command.verb}\` is being recorded.`,
      },
    });
    begun = { id: data.id, app: data.app?.slug ?? '' };
  } catch (error) {
    return {
      kind: 'failed',
      by,
      why: `the check "${checkName}" could not be written on ${short} (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); give the job \`permissions: checks: write\``,
    };
  }
  const obstacle = await whyNotOurs(github, place, headSha, head, begun);
  const written = obstacle ? undefined : acceptanceCheck(command, head, at);
  const refusedWith = obstacle && {
    conclusion: obstacle.standing,
    title: truncate(`Not ${command.verb}ed: ${obstacle.why}`, 200),
    summary: `\`/gate ${command.verb}\` by ${escapeText(by, 100)} was refused: ${escapeText(obstacle.why, 600)}. This run concludes ${codeSpan(obstacle.standing)} on ${codeSpan(short)}, so that it changes nothing a merge rests on.`,
  };
  try {
    await github.rest.checks.update({
      owner,
      repo,
      check_run_id: begun.id,
      status: 'completed',
      conclusion: (written?.conclusion ?? refusedWith?.conclusion ?? 'failure') as 'success',
      completed_at: new Date().toISOString(),
      ...(command.comment.url ? { details_url: command.comment.url } : {}),
      output: written
        ? { title: written.title, summary: written.summary, text: hideRecord(written.record) }
        : {
            title: refusedWith?.title ?? '',
            summary: refusedWith?.summary ?? '',
            text: REFUSAL_MARK,
          },
    });
  } catch (error) {
    // A check left in progress would read as "still running" to every later command: it is completed short, as a failure.
    await github.rest.checks
      .update({
        owner,
        repo,
        check_run_id: begun.id,
        status: 'completed',
        conclusion: 'failure',
        completed_at: new Date().toISOString(),
        output: {
          title: `Not ${command.verb}ed: the check could not be written in full`,
          summary: `\`/gate ${command.verb}\` by ${escapeText(by, 100)} could not be recorded; the gate's run decides on ${codeSpan(short)}.`,
          text: REFUSAL_MARK,
        },
      })
      .catch(() => undefined);
    return {
      kind: 'failed',
      by,
      why: `the check "${checkName}" on ${short} could not be completed (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}), and was completed short as a failure`,
    };
  }
  if (!written)
    return {
      kind: 'refused',
      by,
      decision: head.record.decision,
      checkBegun: true,
      why: obstacle?.why ?? 'the check could not be written',
    };
  log.info(
    `Check "${checkName}" on ${short}: ${written.kind} by ${by}, completed as ${written.conclusion}.`,
  );
  if (place.comment)
    await markStickyComment(github, command, place, headSha, written.block, begun.app, log);
  return {
    kind: written.kind,
    by,
    decision: written.decision,
    reason: command.reason,
    headSha,
    record: written.record,
    conclusion: written.conclusion,
    summary: written.summary,
  };
}

/**
 * Why the verdict found is not this gate's to accept, now that the check begun names this
 * token's app: another app wrote it, or another run of the check began since it was read. With
 * what the check begun then concludes: this app's newest completed conclusion there before it.
 */
async function whyNotOurs(
  github: GitHub,
  place: AcceptPlace,
  headSha: string,
  head: HeadVerdict,
  begun: { id: number; app: string },
): Promise<{ why: string; standing: string } | undefined> {
  const short = headSha.slice(0, 12);
  // Read again now the check has begun: a gate that began meanwhile is seen.
  const runs = await readCheckRuns(github, {
    owner: place.owner,
    repo: place.repo,
    headSha,
    checkName: place.checkName,
  });
  const standing = standingBeside(runs ?? [], begun);
  if (head.app !== begun.app)
    return {
      why: `the newest check "${place.checkName}" on ${short} was written by ${head.app || 'an unknown app'}, not by ${begun.app || 'the app of this token'}: it is not this gate's verdict. Use the same token in the gate's step and this one`,
      standing,
    };
  const newer = runs?.find((run) => run.id !== begun.id && run.id > head.checkRunId);
  if (!runs || newer)
    return {
      why: newer
        ? `the gate "${place.checkName}" began again on ${short} while the command was carried out: its own run decides`
        : `the checks on ${short} could not be read again to make sure no gate began meanwhile`,
      standing,
    };
  return undefined;
}

/** Conclusions a check run may be completed with. */
const SETTABLE = new Set([
  'success',
  'failure',
  'neutral',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required',
]);

/** Conclusions branch protection lets through. */
const PASSING = new Set(['success', 'neutral', 'skipped']);

/**
 * What a refused command's check concludes, so that it changes nothing a merge rests on: this
 * app's newest conclusion there when it blocks; a passing one only when the newest run of the
 * check (whoever wrote it, finished) passes too; otherwise `failure`. A refusal never makes a
 * pass that was not there, whether branch protection reads this app's checks or any app's.
 */
function standingBeside(runs: HeadVerdict['runs'], begun: { id: number; app: string }): string {
  const others = runs.filter((run) => run.id !== begun.id);
  const own = others.find((run) => run.app === begun.app && run.status === 'completed');
  const newest = others[0];
  // Only a conclusion a check may be completed with is repeated (GitHub sets `stale` itself).
  if (!own || !SETTABLE.has(own.conclusion)) return 'failure';
  if (!PASSING.has(own.conclusion)) return own.conclusion;
  return newest?.status === 'completed' && PASSING.has(newest.conclusion)
    ? own.conclusion
    : 'failure';
}

/** The check an acceptance (or a revocation) completes: its conclusion, title, summary and record. */
function acceptanceCheck(command: GateCommand, head: HeadVerdict, at: Date) {
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

/**
 * Puts the acceptance's lines at the top of the gate's sticky comment, when the pull request's
 * head is still the commit accepted (a push meanwhile has made it another commit's comment).
 * A comment that cannot be found or written is said in the log; the check holds the acceptance.
 */
async function markStickyComment(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  headSha: string,
  block: string,
  appSlug: string | undefined,
  log: GateLog,
): Promise<void> {
  const { owner, repo, checkName } = place;
  const pullRequestNumber = command.pullRequestNumber;
  try {
    const pull = await readPullRequest(github, { owner, repo, pullRequestNumber });
    if ('unread' in pull || pull.headSha !== headSha) {
      log.info(
        `The sticky comment on #${pullRequestNumber} is left as it is: the pull request's head ${'unread' in pull ? 'could not be read again' : `moved to ${pull.headSha.slice(0, 12)}`}. The check on ${headSha.slice(0, 12)} holds the ${command.verb}.`,
      );
      return;
    }
    const found = await readStickyComment(
      github,
      { owner, repo, pullRequestNumber, checkName },
      Promise.resolve(appSlug),
    );
    if (!found) {
      log.info(
        `No sticky comment of "${checkName}" on #${pullRequestNumber} to mark; the check holds the ${command.verb}.`,
      );
      return;
    }
    // Within GitHub's limit, the marker kept as the last line: it is how the gate finds its comment.
    const marker = commentMarker(checkName);
    const rest = found.body.trimEnd().slice(0, -marker.length).trimEnd();
    const room = COMMENT_MAX_CHARS - withBlockOnTop('', block).length - marker.length - 1;
    const body = `${withBlockOnTop(truncate(rest, room), block)}\n${marker}`;
    await github.rest.issues.updateComment({ owner, repo, comment_id: found.id, body });
    log.info(
      `Marked the gate's comment on #${pullRequestNumber} as ${command.verb === 'accept' ? 'accepted' : 'revoked'}.`,
    );
  } catch (error) {
    log.warning(
      `Could not mark the gate's comment on #${pullRequestNumber} (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); the check holds the ${command.verb}. Give the job \`permissions: pull-requests: write\`.`,
    );
  }
}

/** The reply to the command: a reaction on it, and a comment saying what was done (or why not). */
async function reply(
  github: GitHub,
  command: GateCommand,
  place: AcceptPlace,
  outcome: Exclude<CommandOutcome, { kind: 'ignored' }>,
  log: GateLog,
): Promise<void> {
  const { owner, repo, checkName } = place;
  const gate = `**${escapeText(checkName, 100)}**`;
  const body =
    outcome.kind === 'accepted'
      ? `✅ Accepted the ${codeSpan(outcome.record.decision)} verdict of ${gate} on ${codeSpan(outcome.headSha.slice(0, 12))}: the check is now \`success\`, titled as accepted, with the verdict beneath, and the record keeps who, when and why. A push gates the new head afresh; \`/gate revoke\` undoes this.`
      : outcome.kind === 'revoked'
        ? `↩️ Revoked the acceptance of ${gate} on ${codeSpan(outcome.headSha.slice(0, 12))}: the check is back to the gate's own conclusion, ${codeSpan(outcome.conclusion)}.`
        : outcome.kind === 'refused'
          ? `⛔ \`/gate ${command.verb}\` for ${gate} was refused: ${escapeText(outcome.why, 600)}. ${outcome.checkBegun ? 'The check begun for it repeats what this gate last concluded there.' : 'No check was changed.'} Once it is fixed, post the command again in a new comment: an edited comment is not read.`
          : `⚠️ \`/gate ${command.verb}\` for ${gate} could not be carried out: ${escapeText('why' in outcome ? outcome.why : '', 600)}. Nothing passes by it; the workflow run's log says more.`;
  const reaction = outcome.kind === 'accepted' || outcome.kind === 'revoked' ? '+1' : 'confused';
  const [reacted, commented] = await Promise.allSettled([
    github.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: command.comment.id,
      content: reaction,
    }),
    github.rest.issues.createComment({
      owner,
      repo,
      issue_number: command.pullRequestNumber,
      body,
    }),
  ]);
  for (const [what, result] of [
    ['react to', reacted],
    ['reply to', commented],
  ] as const)
    if (result.status === 'rejected')
      log.warning(
        `Could not ${what} the command on #${command.pullRequestNumber} (HTTP ${statusOf(result.reason) ?? '-'}: ${messageOf(result.reason)}); give the job \`permissions: pull-requests: write\`. The log and the outputs say what was done.`,
      );
}

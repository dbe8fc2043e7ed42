import type { GitHub } from '../octokit.js';
import type { GateLog } from '../../../core/support/log.js';
import { redactText } from '../../../core/support/secrets.js';
import type { Decision } from '../../../core/verdict/decision.js';
import { readPullRequest } from '../pull.js';
import type { GateCommand } from './command.js';
import { checkNamesOn, quotedNames, readHeadVerdict } from './head-verdict.js';
import { writeCheck } from './new-check.js';
import { reaches, readUserRole } from './permission.js';
import { reply } from './reply.js';
import type { AcceptPlace, CommandGitHub, CommandOutcome } from './types.js';

export type { AcceptPlace, CommandGitHub, CommandOutcome } from './types.js';

/**
 * Carries out `/gate accept` or `/gate revoke` for this step's gate (CONTRACT.md, section 9):
 * the commenter's role must reach `accept_permission`; the pull request's current head, read
 * from GitHub, must carry this gate's completed verdict, failing (or warning) to accept, an
 * accepted one to revoke. Then a new check run of that name on that commit says so above the
 * verdict as the gate wrote it, the sticky comment gains the same lines, and the command gets a
 * reply. A refusal changes no check and says why in the reply, `secrets` redacted from it.
 * A check the command begins is always completed, with `github.completing`. Never throws.
 */
export async function carryOutCommand(
  github: CommandGitHub,
  command: GateCommand,
  place: AcceptPlace,
  log: GateLog,
  secrets: readonly (string | undefined)[] = [],
  now: () => Date = () => new Date(),
): Promise<CommandOutcome> {
  const decided =
    command.checkName !== undefined && command.checkName !== place.checkName
      ? await forAnotherGate(github.calls, command, place, command.checkName)
      : await decide(github, command, place, log, now);
  // GitHub's own error text is quoted in a refusal; no secret goes into the reply with it.
  const outcome =
    'why' in decided ? { ...decided, why: redactText(decided.why, secrets) } : decided;
  if (outcome.kind !== 'ignored') await reply(github.calls, command, place, outcome, log);
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
  github: CommandGitHub,
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
  const role = await readUserRole(github.calls, { owner, repo, username: by });
  if ('unread' in role) return failed(`${by}'s permission on ${owner}/${repo}: ${role.unread}`);
  if (!reaches(role.role, place.acceptPermission))
    return refused(
      `${by} may not ${command.verb} a verdict: their role on ${owner}/${repo} is ${role.custom ? `the custom role "${role.custom}", read as ${role.role}` : role.role}, and \`accept_permission\` asks for ${place.acceptPermission} at least`,
    );
  if (command.verb === 'accept' && !command.reason)
    return refused(
      'a reason is required: write it on the lines after `/gate accept`, for the record and for the reviewers who read the check',
    );
  const pull = await readPullRequest(github.calls, {
    owner,
    repo,
    pullRequestNumber: command.pullRequestNumber,
  });
  if ('unread' in pull) return failed(`pull request #${command.pullRequestNumber}: ${pull.unread}`);
  if (pull.state === 'closed')
    return refused(
      `pull request #${command.pullRequestNumber} is ${pull.merged ? 'merged' : 'closed'}: an acceptance is for the head of an open pull request`,
    );
  const head = await readHeadVerdict(github.calls, {
    owner,
    repo,
    headSha: pull.headSha,
    checkName,
  });
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

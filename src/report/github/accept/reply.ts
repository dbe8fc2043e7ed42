import { commentMarker } from '../../../core/render/marker.js';
import { codeSpan, escapeText } from '../../../core/render/escape.js';
import { messageOf } from '../../../core/support/errors.js';
import type { GateLog } from '../../../core/support/log.js';
import { truncate } from '../../../core/support/text.js';
import { COMMENT_MAX_CHARS, readStickyComment } from '../comment.js';
import type { GitHub } from '../octokit.js';
import { readPullRequest } from '../pull.js';
import { statusOf } from '../status.js';
import type { GateCommand } from './command.js';
import { withBlockOnTop } from './render.js';
import type { AcceptPlace, CommandOutcome } from './types.js';

/**
 * Puts the acceptance's lines at the top of the gate's sticky comment, when the pull request's
 * head is still the commit accepted (a push meanwhile has made it another commit's comment).
 * A comment that cannot be found or written is said in the log; the check holds the acceptance.
 */
export async function markStickyComment(
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
export async function reply(
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

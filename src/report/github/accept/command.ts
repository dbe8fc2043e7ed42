import { z } from 'zod';

/** A maintainer's command in a pull request comment (CONTRACT.md, section 9). */
export interface GateCommand {
  verb: 'accept' | 'revoke';
  /** The `check_name` written after the verb, when one was: other gates' steps ignore the command. */
  checkName?: string;
  /** The lines after the command, trimmed; empty when none were written. */
  reason: string;
  pullRequestNumber: number;
  comment: { id: number; url?: string; author: string };
}

/** A comment that is no command for the gate, and why (for the log; nothing is posted). */
export interface Ignored {
  ignored: string;
}

/** The parts of an `issue_comment` webhook the command is read from, validated. */
const IssueCommentEvent = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int().positive(),
    pull_request: z.object({}).loose().nullish(),
  }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullish(),
    html_url: z.string().optional(),
    user: z.object({ login: z.string(), type: z.string().optional() }).nullish(),
  }),
});

/** The command word, as written: case matters, and it ends the word (`/gate acceptance` is no command). */
const COMMAND = /^\/gate (accept|revoke)(?:\s+(.*))?$/;

/**
 * Reads the command from an `issue_comment` event's payload: the comment's trimmed first line
 * is `/gate accept` or `/gate revoke`, optionally followed by the `check_name` it is meant
 * for; the lines after it are the reason. Ignored (nothing posted): an action other than
 * `created`, a comment on an issue that is not a pull request, a bot's comment, a first line
 * that is not a command. Throws on a payload that is no issue comment GitHub sends.
 */
export function readGateCommand(payload: unknown): GateCommand | Ignored {
  const parsed = IssueCommentEvent.safeParse(payload);
  if (!parsed.success)
    throw new Error(
      `The issue_comment event's payload does not read as GitHub sends it (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); the runner writes it at GITHUB_EVENT_PATH.`,
    );
  const { action, issue, comment } = parsed.data;
  if (action !== 'created')
    return { ignored: `the comment was ${action}, not created: only a new comment is a command` };
  if (!issue.pull_request)
    return {
      ignored: `#${issue.number} is an issue, not a pull request: there is no gate to accept`,
    };
  const author = comment.user?.login ?? '';
  if (!author || comment.user?.type === 'Bot' || author.endsWith('[bot]'))
    return {
      ignored: `the comment is by ${author || 'an unknown author'}, a bot: bots never accept a verdict`,
    };
  const [first = '', ...rest] = (comment.body ?? '').replace(/\r\n?/g, '\n').split('\n');
  const command = COMMAND.exec(first.trim());
  if (!command) return { ignored: 'its first line is not `/gate accept` or `/gate revoke`' };
  const checkName = command[2]?.trim();
  return {
    verb: command[1] as GateCommand['verb'],
    ...(checkName ? { checkName } : {}),
    reason: rest.join('\n').trim(),
    pullRequestNumber: issue.number,
    comment: { id: comment.id, ...(comment.html_url ? { url: comment.html_url } : {}), author },
  };
}

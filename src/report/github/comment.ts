import type { GateLog } from '../../core/support/log.js';
import { messageOf } from '../../core/support/errors.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';
import { commentMarker, endsWithMarker } from '../../core/render/marker.js';
import { ACTION_WORDS, type ReportingWords } from './words.js';

/** GitHub's limit on a comment body. */
export const COMMENT_MAX_CHARS = 65_536;

/** The author GitHub shows for anything written with `GITHUB_TOKEN`. */
const ACTIONS_BOT = 'github-actions[bot]';

/** Where the sticky comment goes. */
export interface CommentPlace {
  owner: string;
  repo: string;
  pullRequestNumber: number;
  checkName: string;
}

/**
 * Looks for the gate's comment on the pull request, across every page. Only a comment that
 * ends with the marker, where the gate puts it, and was written by the token's own author counts:
 * a marker copied into someone else's comment, or carried mid-body into another gate's comment,
 * is ignored, and so is a comment a maintainer minimized. Started
 * early, so the lookup overlaps the evaluation. `appSlug` is the GitHub App the token
 * belongs to, when the check run said.
 */
export async function findStickyComment(
  github: GitHub,
  place: CommentPlace,
  appSlug: Promise<string | undefined>,
): Promise<number | undefined> {
  return (await readStickyComment(github, place, appSlug))?.id;
}

/** The gate's comment on the pull request, as {@link findStickyComment} finds it, with its body. */
export async function readStickyComment(
  github: GitHub,
  place: CommentPlace,
  appSlug: Promise<string | undefined>,
): Promise<{ id: number; body: string } | undefined> {
  const { owner, repo, pullRequestNumber } = place;
  const marker = commentMarker(place.checkName);
  const [author, comments] = await Promise.all([
    tokenAuthor(github, appSlug),
    github.paginate(github.rest.issues.listComments, {
      owner,
      repo,
      issue_number: pullRequestNumber,
      per_page: 100,
    }),
  ]);
  const found = comments.find(
    (c) =>
      c.user?.login === author &&
      !(c as { minimized?: unknown }).minimized &&
      endsWithMarker(c.body, marker),
  );
  return found ? { id: found.id, body: found.body ?? '' } : undefined;
}

/** Edits the comment `findStickyComment` found, or creates it. Never throws: it warns. */
export async function writeStickyComment(
  github: GitHub,
  place: CommentPlace,
  body: string,
  found: Promise<number | undefined>,
  log: GateLog,
  words: ReportingWords = ACTION_WORDS,
): Promise<void> {
  const { owner, repo, pullRequestNumber } = place;
  try {
    const commentId = await found;
    if (commentId !== undefined) {
      await github.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      log.info(`Updated the gate's comment on #${pullRequestNumber}.`);
    } else {
      await github.rest.issues.createComment({
        owner,
        repo,
        issue_number: pullRequestNumber,
        body,
      });
      log.info(`Commented on #${pullRequestNumber}.`);
    }
  } catch (error) {
    log.warning(
      `Could not comment on #${pullRequestNumber} (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}). ` +
        `${words.commentPermission}; ${words.decides}.`,
    );
  }
}

/**
 * Who the token writes as: its user; for an app's installation token (`GITHUB_TOKEN` is one),
 * which may not read `/user`, the app's bot, `<app-slug>[bot]`.
 */
async function tokenAuthor(github: GitHub, appSlug: Promise<string | undefined>): Promise<string> {
  try {
    const { data } = await github.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    if (statusOf(error) !== 403 && statusOf(error) !== 401) throw error;
    const slug = await appSlug.catch(() => undefined);
    return slug ? `${slug}[bot]` : ACTIONS_BOT;
  }
}

import type { GateLog } from '../../core/support/log.js';
import type { GitHub } from './octokit.js';
import { readPullRequest } from './pull.js';

/**
 * A `workflow_run` hand-over's pull request, read once: whether the comment may go on it, and
 * the base commit to compare with; each refusal is one phrase saying why.
 */
export interface HandOver {
  /** Why the comment may not go on it; undefined: it may. */
  commentRefused?: string;
  /** Its base commit, or why it is not compared with. */
  base: { sha: string } | { refused: string };
}

/**
 * A `workflow_run` hand-over: the pull request number may come from an artifact the triggering
 * (possibly forked, so untrusted) run wrote. The privileged run trusts only an open pull request
 * whose head is the commit it gated, `workflow_run.head_sha`, which GitHub itself sets: for the
 * comment, and for the base commit it compares with, only when it targets the repository's
 * default branch (`repository.default_branch` of the event, `defaultBranch`). A fork could
 * otherwise open a second pull request from the same branch onto a branch with a weaker verdict
 * (and close it), and hand its number over. One request; never throws.
 */
export async function readHandOver(
  github: GitHub,
  place: { owner: string; repo: string; pullRequestNumber: number },
  gatedSha: string,
  defaultBranch: string | undefined,
): Promise<HandOver> {
  const pull = await readPullRequest(github, place);
  const refused = (why: string): HandOver => ({ commentRefused: why, base: { refused: why } });
  if ('unread' in pull)
    return refused(pull.unread.replace(/^it could not be read/, 'its head could not be read'));
  if (pull.headSha !== gatedSha.toLowerCase())
    return refused(
      `its head is ${pull.headSha.slice(0, 12)}, not the commit this workflow_run gated`,
    );
  if (pull.state !== 'open')
    return refused(
      pull.state === undefined
        ? 'GitHub does not say it is open'
        : `it is ${pull.merged ? 'merged' : pull.state}: only an open pull request is a change under review`,
    );
  if (!defaultBranch)
    return {
      base: {
        refused:
          'the workflow_run event names no default branch (`repository.default_branch`) to check its base branch against',
      },
    };
  if (pull.baseRef !== defaultBranch)
    return {
      base: {
        refused: `it targets \`${pull.baseRef.replace(/`/g, "'")}\`, not the default branch \`${defaultBranch}\`: the fork-safe gate compares only with the default branch`,
      },
    };
  return { base: { sha: pull.baseSha } };
}

/** Whether the comment goes on the hand-over's pull request; a refusal is warned, saying why. */
export async function commentsOnHandOver(
  handOver: Promise<HandOver>,
  pullRequestNumber: number,
  gatedSha: string,
  log: GateLog,
): Promise<boolean> {
  const read = await handOver;
  if (read.commentRefused === undefined) return true;
  log.warning(
    `Not commenting on pull request #${pullRequestNumber}: ${read.commentRefused}. A \`pull_request_number\` handed over to a workflow_run must name the open pull request whose head is the commit it gated (${gatedSha.slice(0, 12)}); the check on that commit still holds the verdict.`,
  );
  return false;
}

/**
 * The base commit a `workflow_run` compares with: the base of the open pull request whose head is
 * the commit gated, when it targets the default branch. Where no such pull request can be
 * established (none named, a head that is not the commit gated, a closed one, one onto another
 * branch, a pull request GitHub would not give), why, so that `on_missing_baseline` decides: a
 * change handed over is never left uncompared.
 */
export async function handOverBase(
  handOver: Promise<HandOver> | undefined,
  pullRequestNumber: number | undefined,
  gatedSha: string | undefined,
): Promise<{ sha: string } | { missing: string }> {
  if (!gatedSha)
    return {
      missing:
        'the workflow_run event names no head commit (`workflow_run.head_sha`), so no pull request, and no base commit, can be matched to it',
    };
  if (!pullRequestNumber || !handOver)
    return {
      missing: `this workflow_run names no pull request whose base to compare with (GitHub lists none for a fork's run): hand its number over as \`pull_request_number\`, and the base of the pull request whose head is ${gatedSha.slice(0, 12)} is compared`,
    };
  const { base } = await handOver;
  return 'sha' in base
    ? { sha: base.sha }
    : {
        missing: `pull request #${pullRequestNumber} (handed over as \`pull_request_number\`) gives no base commit to compare with: ${base.refused}`,
      };
}

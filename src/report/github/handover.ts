import { z } from 'zod';
import type { GateLog } from '../../core/log.js';
import { messageOf } from '../../core/errors.js';
import type { CommentPlace } from './comment.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';

/** The part of `GET /repos/{owner}/{repo}/pulls/{number}` the check reads, validated. */
const PullRequestHead = z.object({ number: z.number().int(), head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/i) }) });

/**
 * A `workflow_run` hand-over: the pull request number may come from an artifact the triggering
 * (possibly forked, so untrusted) run wrote. The privileged run comments only on a pull request
 * whose head is the commit it gated, `workflow_run.head_sha`, which GitHub itself sets; a
 * number pointing at any other pull request is refused, and said. One request.
 */
export async function pullRequestHeadMatches(github: GitHub, place: CommentPlace, gatedSha: string, log: GateLog): Promise<boolean> {
  const { owner, repo, pullRequestNumber } = place;
  const refuse = (why: string) => {
    log.warning(`Not commenting on pull request #${pullRequestNumber}: ${why}. A \`pull_request_number\` handed over to a workflow_run must name the pull request whose head is the commit it gated (${gatedSha.slice(0, 12)}); the check on that commit still holds the verdict.`);
    return false;
  };
  try {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number: pullRequestNumber });
    const pull = PullRequestHead.safeParse(data);
    if (!pull.success) return refuse('GitHub answered about it in a shape the gate cannot read');
    const head = pull.data.head.sha.toLowerCase();
    return head === gatedSha.toLowerCase() ? true : refuse(`its head is ${head.slice(0, 12)}, not the commit this workflow_run gated`);
  } catch (error) {
    return refuse(`its head could not be read (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})`);
  }
}

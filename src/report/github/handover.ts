import type { GateLog } from '../../core/support/log.js';
import type { CommentPlace } from './comment.js';
import type { GitHub } from './octokit.js';
import { readPullRequest } from './pull.js';

/**
 * A `workflow_run` hand-over: the pull request number may come from an artifact the triggering
 * (possibly forked, so untrusted) run wrote. The privileged run comments only on a pull request
 * whose head is the commit it gated, `workflow_run.head_sha`, which GitHub itself sets; a
 * number pointing at any other pull request is refused, and said. One request.
 */
export async function pullRequestHeadMatches(
  github: GitHub,
  place: CommentPlace,
  gatedSha: string,
  log: GateLog,
): Promise<boolean> {
  const refuse = (why: string) => {
    log.warning(
      `Not commenting on pull request #${place.pullRequestNumber}: ${why}. A \`pull_request_number\` handed over to a workflow_run must name the pull request whose head is the commit it gated (${gatedSha.slice(0, 12)}); the check on that commit still holds the verdict.`,
    );
    return false;
  };
  const pull = await readPullRequest(github, place);
  if ('unread' in pull)
    return refuse(pull.unread.replace(/^it could not be read/, 'its head could not be read'));
  return pull.headSha === gatedSha.toLowerCase()
    ? true
    : refuse(`its head is ${pull.headSha.slice(0, 12)}, not the commit this workflow_run gated`);
}

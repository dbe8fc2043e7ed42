import type { GateLog } from '../../core/support/log.js';
import type { GitHub } from './octokit.js';
import { readPullRequest } from './pull.js';

/**
 * A `workflow_run` hand-over's pull request, read once: its base commit when its head is the
 * commit the run gated, or why it is refused (one phrase).
 */
export type HandOver = { baseSha: string } | { refused: string };

/**
 * A `workflow_run` hand-over: the pull request number may come from an artifact the triggering
 * (possibly forked, so untrusted) run wrote. The privileged run trusts only a pull request whose
 * head is the commit it gated, `workflow_run.head_sha`, which GitHub itself sets: for the
 * comment, and for the base commit it compares with. One request; never throws.
 */
export async function readHandOver(
  github: GitHub,
  place: { owner: string; repo: string; pullRequestNumber: number },
  gatedSha: string,
): Promise<HandOver> {
  const pull = await readPullRequest(github, place);
  if ('unread' in pull)
    return { refused: pull.unread.replace(/^it could not be read/, 'its head could not be read') };
  return pull.headSha === gatedSha.toLowerCase()
    ? { baseSha: pull.baseSha }
    : {
        refused: `its head is ${pull.headSha.slice(0, 12)}, not the commit this workflow_run gated`,
      };
}

/** Whether the comment goes on the hand-over's pull request; a refusal is warned, saying why. */
export async function commentsOnHandOver(
  handOver: Promise<HandOver>,
  pullRequestNumber: number,
  gatedSha: string,
  log: GateLog,
): Promise<boolean> {
  const read = await handOver;
  if ('baseSha' in read) return true;
  log.warning(
    `Not commenting on pull request #${pullRequestNumber}: ${read.refused}. A \`pull_request_number\` handed over to a workflow_run must name the pull request whose head is the commit it gated (${gatedSha.slice(0, 12)}); the check on that commit still holds the verdict.`,
  );
  return false;
}

/**
 * The base commit a `workflow_run` compares with: the base of the pull request whose head is the
 * commit gated. Where no such pull request can be established (none named, a head that is not
 * the commit gated, a pull request GitHub would not give), why, so that `on_missing_baseline`
 * decides: a change handed over is never left uncompared.
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
  const read = await handOver;
  return 'baseSha' in read
    ? { sha: read.baseSha }
    : {
        missing: `pull request #${pullRequestNumber} (handed over as \`pull_request_number\`) gives no base commit to compare with: ${read.refused}`,
      };
}

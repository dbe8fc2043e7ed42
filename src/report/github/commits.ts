import type { GateLog } from '../../core/support/log.js';
import type { GitHub } from './octokit.js';
import { readCommit, readPullRequest } from './pull.js';
import type { ReportingWords } from './words.js';

/** Which commits a report is about, as its place says them (or asks them to be read from the pull request). */
export interface CommitsPlace {
  /** The commit the check goes on. */
  headSha?: string;
  /** The pull request the sticky comment goes on, when `comment` is on. */
  pullRequestNumber?: number;
  /** The base commit whose verdict is read back as the baseline, when `baseline` is on. */
  baselineSha?: string;
  /**
   * Outside GitHub Actions (Jenkins, Buildkite, CircleCI) no event names the pull request's
   * commits: they are read from GitHub. The check goes on its head, where branch protection looks
   * (unless `headSha` is set), when that is what the CI built: the head itself, or a merge commit
   * of it (one GitHub never saw, or its own merge ref). When the head moved during the build
   * (GitHub knows the CI's commit, and it is neither), the check goes on the CI's commit, the one
   * evaluated. With `compareWithBase` the base commit's verdict is the baseline. The CI's own
   * commit is also the fallback when the pull request cannot be read. `ciCommitName` says where
   * the CI named its commit (`BUILDKITE_COMMIT`), for the log.
   */
  fromPullRequest?: { ciCommitSha?: string; ciCommitName?: string; compareWithBase: boolean };
}

/**
 * The commit the check goes on and the base commit to compare with: the place's own, or, with
 * `fromPullRequest`, the pull request's as GitHub says them (one request).
 */
export async function commitsOf(
  github: GitHub,
  place: CommitsPlace,
  owner: string,
  repo: string,
  log: GateLog,
  words: ReportingWords,
): Promise<{ headSha?: string; baselineSha?: string }> {
  const wanted = place.fromPullRequest;
  if (!wanted || !place.pullRequestNumber)
    return { headSha: place.headSha ?? wanted?.ciCommitSha, baselineSha: place.baselineSha };
  const pull = await readPullRequest(github, {
    owner,
    repo,
    pullRequestNumber: place.pullRequestNumber,
  });
  if ('unread' in pull) {
    log.warning(
      `Pull request #${place.pullRequestNumber}: ${pull.unread}. The check goes on the commit the CI built, and there is no base commit to compare with.`,
    );
    return { headSha: place.headSha ?? wanted.ciCommitSha, baselineSha: place.baselineSha };
  }
  const baselineSha = place.baselineSha ?? (wanted.compareWithBase ? pull.baseSha : undefined);
  const built = wanted.ciCommitSha?.toLowerCase();
  if (place.headSha || !built || built === pull.headSha)
    return { headSha: place.headSha ?? pull.headSha, baselineSha };
  // The CI built another commit than the head: a merge commit of the head, or the head before a push during the build.
  const commit = await readCommit(github, { owner, repo, sha: built });
  if (commit === 'unknown' || ('parents' in commit && commit.parents.includes(pull.headSha))) {
    log.info(
      `The CI built ${built.slice(0, 12)} (a merge commit?); the check goes on pull request #${place.pullRequestNumber}'s head ${pull.headSha.slice(0, 12)}, where GitHub looks for it.`,
    );
    return { headSha: pull.headSha, baselineSha };
  }
  // Never a verdict on a commit the gate did not evaluate: the new head waits for its own build.
  const named = wanted.ciCommitName ? ` (${wanted.ciCommitName})` : '';
  log.warning(
    'parents' in commit
      ? `Pull request #${place.pullRequestNumber}'s head moved during the build: GitHub says it is now ${pull.headSha.slice(0, 12)}, but this build evaluated ${built.slice(0, 12)}${named}. The check goes on ${built.slice(0, 12)}, the commit evaluated; ${pull.headSha.slice(0, 12)} gets no check from this build, and a build of it gates it.`
      : `Pull request #${place.pullRequestNumber}'s head is ${pull.headSha.slice(0, 12)}, but this build evaluated ${built.slice(0, 12)}${named}, and GitHub could not say whether that is a merge of the head: ${commit.unread}. The check goes on ${built.slice(0, 12)}, the commit evaluated; ${words.headSha} to name another.`,
  );
  return { headSha: built, baselineSha };
}

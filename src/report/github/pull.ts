import { z } from 'zod';
import { messageOf } from '../../core/support/errors.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';

/** The part of `GET /repos/{owner}/{repo}/pulls/{number}` the gate reads, validated. */
const PullRequest = z.object({
  number: z.number().int(),
  state: z.string().optional(),
  merged: z.boolean().nullish(),
  head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/i) }),
  base: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/i), ref: z.string().min(1) }),
});

/** A pull request's head and base commits, its base branch and state, as GitHub says them. */
export interface PullRequestCommits {
  headSha: string;
  baseSha: string;
  /** The branch it would merge into (`base.ref`), as GitHub says it. */
  baseRef: string;
  /** `open` or `closed`, when GitHub said; `merged` when it said so. */
  state?: string;
  merged?: boolean;
}

/**
 * Reads pull request `number`'s head and base commits: one request. Returns the commits, or why
 * they could not be read (one phrase), never throws.
 */
export async function readPullRequest(
  github: GitHub,
  place: { owner: string; repo: string; pullRequestNumber: number },
): Promise<PullRequestCommits | { unread: string }> {
  const { owner, repo, pullRequestNumber } = place;
  try {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number: pullRequestNumber });
    const pull = PullRequest.safeParse(data);
    if (!pull.success)
      return { unread: 'GitHub answered about it in a shape the gate cannot read' };
    return {
      headSha: pull.data.head.sha.toLowerCase(),
      baseSha: pull.data.base.sha.toLowerCase(),
      baseRef: pull.data.base.ref,
      ...(pull.data.state ? { state: pull.data.state } : {}),
      ...(pull.data.merged ? { merged: true } : {}),
    };
  } catch (error) {
    return { unread: `it could not be read (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})` };
  }
}

/** The part of `GET /repos/{owner}/{repo}/commits/{ref}` the gate reads, validated. */
const Commit = z.object({
  sha: z.string().regex(/^[0-9a-f]{40}$/i),
  parents: z.array(z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/i) })),
});

/**
 * What GitHub knows of commit `sha`: its parents; `unknown` when GitHub has never seen it (the
 * CI's own merge commit); or why it could not be read (one phrase). One request, never throws.
 */
export async function readCommit(
  github: GitHub,
  place: { owner: string; repo: string; sha: string },
): Promise<{ parents: string[] } | 'unknown' | { unread: string }> {
  try {
    const { data } = await github.rest.repos.getCommit({
      owner: place.owner,
      repo: place.repo,
      ref: place.sha,
      per_page: 1,
    });
    const commit = Commit.safeParse(data);
    if (!commit.success)
      return { unread: 'GitHub answered about it in a shape the gate cannot read' };
    return { parents: commit.data.parents.map((parent) => parent.sha.toLowerCase()) };
  } catch (error) {
    // GitHub answers 422 ("No commit found for SHA") or 404 for a commit it was never pushed.
    const status = statusOf(error);
    if (status === 404 || status === 422) return 'unknown';
    return { unread: `it could not be read (HTTP ${status ?? '-'}: ${messageOf(error)})` };
  }
}

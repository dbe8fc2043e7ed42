import { webhookExample } from './webhooks.js';

// What the case-by-case regression tests (contract section 14) share, whatever the backend:
// the pull request, main's line in the fake GitHub, main's flipping record, the CI job the
// command line runs in.

/** The pull request the action gates (GitHub's example `opened` event). */
export const REGRESSION_PR = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};

/** Main's line for `FakeGitHub.seedLine`, newest (the pull request's base commit) first. */
export const MAIN_LINE = [
  REGRESSION_PR.pull_request.base.sha,
  ...Array.from({ length: 6 }, (_, i) => `${i + 1}`.repeat(40)),
];

/**
 * Six verdicts on main, newest first (the failing case indices, 0-based): cases 0 and 1 flip
 * (each failed in 3 of 6), the others never failed.
 */
export const FLIPPING: readonly (readonly number[])[] = [[0], [1], [0, 1], [], [0], [1]];

/** A push of main's commit `sha`, as GitHub's example event with `after` set. */
export const pushOf = (sha: string | undefined) => ({
  ...(webhookExample('push') as Record<string, unknown>),
  after: sha,
});

/** A GitLab CI job's variables around the command line (`TMPDIR` the test's scratch folder). */
export const gitlabJob = (tmpdir: string) => ({
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PROJECT_PATH: 'acme/agents',
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5005',
  TMPDIR: tmpdir,
});

/** The command line on main's commit `sha` (no merge request), and on merge request 42. */
export const onMainJob = (sha: string) => ({ CI_COMMIT_SHA: sha, CI_MERGE_REQUEST_IID: '' });
export const MERGE_REQUEST_JOB = {
  CI_COMMIT_SHA: 'c0ffee'.padEnd(40, '0'),
  CI_MERGE_REQUEST_IID: '42',
};

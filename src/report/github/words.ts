import { flagOf, type InputWord } from '../../core/inputs/declare.js';

/**
 * What GitHub reporting's warnings tell the user to do, in the words of the door they came
 * through: the action's (`permissions:`, `head_sha`) or the command line's (`GATE_GITHUB_TOKEN`,
 * `--head-sha`).
 */
export interface ReportingWords {
  /** How to let the token create a check run or a commit status. */
  checkPermission: string;
  /** How to let the token comment, or to stop it trying. */
  commentPermission: string;
  /** How to name the commit the check goes on. */
  headSha: string;
  /** What the verdict still decides when reporting fails. */
  decides: string;
  /** How the check and the comment name an input (a threshold, `retry_errors`). */
  input: InputWord;
}

export const ACTION_WORDS: ReportingWords = {
  checkPermission: 'Give the job `permissions: checks: write` (or `statuses: write`)',
  commentPermission: 'Give the job `permissions: pull-requests: write`, or set `comment: false`',
  headSha: 'set `head_sha`',
  decides: 'the verdict still decides the step',
  input: (name) => name,
};

export const CLI_WORDS: ReportingWords = {
  checkPermission:
    'Set GATE_GITHUB_TOKEN to a GitHub App installation token with `checks: write` (a personal token can only set a commit status, with `statuses: write`)',
  commentPermission: 'Give GATE_GITHUB_TOKEN `pull-requests: write`, or set --comment false',
  headSha: 'set --head-sha',
  decides: 'the verdict still decides the job',
  input: flagOf,
};

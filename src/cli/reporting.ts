import type { DetectedChange } from '../core/change/ci.js';
import { InputError, messageOf } from '../core/support/errors.js';
import { parseInputs, type RawInputs } from '../core/inputs/fields.js';
import { CliGitHubInputs } from '../report/github/inputs.js';
import { GitLabInputs } from '../report/gitlab/inputs.js';
import type { CliReporting } from '../report/command-line-reporters.js';
import { inFlagWords } from './flags.js';

/** Reads the reporting inputs; what is wrong with them, in the command line's words. */
export function readReporting(inputs: RawInputs): { reporting?: CliReporting; problems: string[] } {
  const problems: string[] = [];
  const parse = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push(
        ...(error instanceof InputError ? error.problems.map(inFlagWords) : [messageOf(error)]),
      );
      return undefined;
    }
  };
  const gitlab = parse(() => parseInputs(GitLabInputs, inputs));
  const github = parse(() => parseInputs(CliGitHubInputs, inputs));
  return gitlab && github ? { reporting: { gitlab, github }, problems } : { problems };
}

/**
 * A GitHub token needs a repository to report on: outside a CI that names one, `--repository`.
 * One problem, in the command line's words, or none.
 */
export function reportingProblems(
  reporting: CliReporting | undefined,
  change: DetectedChange,
): string[] {
  if (
    !reporting?.github.github_token ||
    reporting.github.repository ||
    change.repository !== 'unknown/unknown'
  )
    return [];
  return [
    `GATE_GITHUB_TOKEN is set, but ${change.ci === 'no CI' ? 'no CI names' : `${change.ci} does not name`} the GitHub repository to report on; set --repository owner/name`,
  ];
}

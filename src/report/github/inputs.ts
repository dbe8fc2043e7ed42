import { z } from 'zod';
import { credential } from '../../core/inputs/common.js';
import { declaredInputs, documented } from '../../core/inputs/declare.js';
import { flag, oneOf, optionalText } from '../../core/inputs/fields.js';
import { insecureUrlReason } from '../../core/transport/url.js';

/** GitHub's API root: https (http to a loopback host only), no credentials, query or fragment. */
const apiUrl = optionalText().transform((text, ctx) => {
  if (text === undefined) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const why = !url
    ? 'is not a URL'
    : (insecureUrlReason(url) ??
      (url.username || url.password
        ? 'holds credentials'
        : url.search || url.hash
          ? 'has a query or fragment'
          : undefined));
  if (why) {
    ctx.addIssue({
      code: 'custom',
      message: `${why}; write GitHub's REST API root, e.g. https://api.github.com or, on GitHub Enterprise Server, https://HOST/api/v3`,
    });
    return z.NEVER;
  }
  return text.replace(/\/+$/, '');
});

/**
 * The command line's inputs for reporting on GitHub from another CI (Jenkins, Buildkite,
 * CircleCI building a GitHub repository): the same check, comment and baseline as the action's.
 */
export const CliGitHubInputs = z.object({
  github_token: documented(credential(optionalText()), {
    description:
      "GitHub token for the check run (a GitHub App's installation token; a personal token gets a commit status instead), the sticky comment on the pull request and the baseline; empty: no GitHub reporting.",
    secret: true,
    cliOnly: true,
  }),
  github_api_url: documented(apiUrl, {
    description:
      "GitHub's REST API root; GitHub Enterprise Server: https://HOST/api/v3. Default: `GITHUB_API_URL`, else https://api.github.com.",
    cliOnly: true,
  }),
  repository: documented(
    optionalText().refine((name) => name === undefined || /^[\w.-]+\/[\w.-]+$/.test(name), {
      message: 'must be `owner/name`, e.g. acme/agents',
    }),
    {
      description:
        "The GitHub repository, `owner/name`. Default: from the CI's variables (`GIT_URL`, `BUILDKITE_REPO`, `CIRCLE_PROJECT_USERNAME`/`REPONAME`).",
      cliOnly: true,
    },
  ),
  check_name: documented(optionalText(), {
    description:
      'Name of the check run (or commit status context) to mark required. Default: `Sepurux Reliability Gate` (TruLayer: `TruLayer Eval Gate`).',
    cliOnly: true,
  }),
  comment: documented(flag(true), {
    description: 'With a GitHub token: keep one sticky comment on the pull request.',
    default: 'true',
    cliOnly: true,
  }),
  baseline: documented(oneOf(['auto', 'off'], 'auto'), {
    description:
      "With a GitHub token: compare with the verdict of the pull request's base commit, read back from this gate's check there (`auto`), or not (`off`).",
    default: 'auto',
    cliOnly: true,
  }),
});
export type CliGitHubInputs = z.output<typeof CliGitHubInputs>;

/** GitHub reporting's inputs on the command line, declared for `--help`, the README and the flag reader. */
export const CLI_GITHUB_INPUTS = declaredInputs(CliGitHubInputs);

import { z } from 'zod';
import { credential } from '../../core/inputs/common-fields.js';
import { declaredInputs, documented } from '../../core/inputs/declare.js';
import { flag, oneOf, optionalText } from '../../core/inputs/fields.js';
import { insecureUrlReason } from '../../core/transport/url.js';
import { BACKENDS } from '../../core/backends/registry.js';
import { ACCEPT_ROLES } from './accept/permission.js';

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

/** The door a reporting input is read through: its flags, and its words. */
type Door = 'action' | 'cli';

/** Each backend's own check name, as the default of `check_name` says it. */
const defaultCheckNames = BACKENDS.map(
  (backend, i) => `${i === 0 ? '' : `${backend.displayName}: `}\`${backend.defaultCheckName}\``,
);

/**
 * The check, comment and baseline inputs both doors read for GitHub, declared once: each door
 * gets them with its own flag (`actionOnly` keeps them out of `--help`, `cliOnly` out of
 * action.yml) and its own words (the command line reports on GitHub only with a token).
 */
function reviewInputs(door: Door) {
  const only = door === 'action' ? { actionOnly: true } : { cliOnly: true };
  // The command line reports on GitHub only when given a token, and says so first.
  const said = (text: string) =>
    door === 'action'
      ? `${text[0]?.toUpperCase()}${text.slice(1)}`
      : `With a GitHub token: ${text}`;
  return {
    check_name: documented(optionalText(), {
      description: `Name of the check run (or commit status context) to mark required in branch protection. Default: ${defaultCheckNames[0]}${defaultCheckNames.length > 1 ? ` (${defaultCheckNames.slice(1).join('; ')})` : ''}; with \`config\`, "Reliability gates".`,
      ...only,
    }),
    comment: documented(flag(true), {
      description: said('keep one sticky summary comment on the pull request.'),
      default: 'true',
      ...only,
    }),
    baseline: documented(oneOf(['auto', 'off'], 'auto'), {
      description: said(
        "compare with the verdict of the pull request's base commit (or the merge queue's), read back from this gate's own check there: `auto` or `off`.",
      ),
      default: 'auto',
      ...only,
    }),
  };
}

/** The action's inputs for reporting on GitHub: the check run, the sticky comment, the baseline. */
export const GitHubInputs = z.object({
  github_token: documented(credential(optionalText()), {
    description:
      'Token for the check run, commit status and PR comment; empty turns GitHub reporting off.',
    default: '${{ github.token }}',
    secret: true,
    actionOnly: true,
  }),
  ...reviewInputs('action'),
  accept_permission: documented(oneOf(ACCEPT_ROLES, 'maintain'), {
    description:
      'On `issue_comment`: the least role on the repository (`write`, `maintain` or `admin`) whose `/gate accept` lets a failing verdict through, recorded on the check. Read from GitHub, never from the comment.',
    default: 'maintain',
    actionOnly: true,
  }),
});
export type GitHubInputs = z.output<typeof GitHubInputs>;

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
  ...reviewInputs('cli'),
});
export type CliGitHubInputs = z.output<typeof CliGitHubInputs>;

/** GitHub reporting's inputs on the command line, declared for `--help`, the README and the flag reader. */
export const CLI_GITHUB_INPUTS = declaredInputs(CliGitHubInputs);

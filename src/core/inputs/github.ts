import { z } from 'zod';
import { credential } from './common.js';
import { documented } from './declare.js';
import { flag, oneOf, optionalText } from './fields.js';

/** The inputs only the action reads: how it reports on GitHub. */
export const GitHubInputs = z.object({
  github_token: documented(credential(optionalText()), {
    description:
      'Token for the check run, commit status and PR comment; empty turns GitHub reporting off.',
    default: '${{ github.token }}',
    secret: true,
    actionOnly: true,
  }),
  check_name: documented(optionalText(), {
    description:
      'Name of the check run (and commit status context) to mark required in branch protection. Default: `Sepurux Reliability Gate` (TruLayer: `TruLayer Eval Gate`).',
    actionOnly: true,
  }),
  comment: documented(flag(true), {
    description: 'Post or update one sticky summary comment on the pull request.',
    default: 'true',
    actionOnly: true,
  }),
  baseline: documented(oneOf(['auto', 'off'], 'auto'), {
    description:
      "Compare with the base branch's last verdict, read back from this gate's own check on the base commit (pull requests and merge queues): `auto` or `off`.",
    default: 'auto',
    actionOnly: true,
  }),
});
export type GitHubInputs = z.output<typeof GitHubInputs>;

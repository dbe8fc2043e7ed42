import { z } from 'zod';
import { credential } from '../../core/inputs/common-fields.js';
import { declaredInputs, documented } from '../../core/inputs/declare.js';
import { optionalText } from '../../core/inputs/fields.js';

/** The command line's input for reporting on a GitLab merge request. */
export const GitLabInputs = z.object({
  gitlab_token: documented(credential(optionalText()), {
    description:
      'GitLab token (a project or group access token with the `api` scope and at least the Reporter role) for one sticky note on the merge request, kept up to date; empty: no note.',
    secret: true,
    cliOnly: true,
  }),
});
export type GitLabInputs = z.output<typeof GitLabInputs>;

/** GitLab reporting's inputs, declared for `--help`, the README and the flag reader. */
export const GITLAB_INPUTS = declaredInputs(GitLabInputs);

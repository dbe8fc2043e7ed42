import { z } from 'zod';
import { documented } from '../../inputs/declare.js';
import {
  type CrossRule,
  fraction,
  optionalNumber,
  optionalText,
  optionalUuid,
} from '../../inputs/fields.js';

/** The Braintrust inputs, documented and validated; `pass_score`'s default applied. */
export const BraintrustInputs = z.object({
  project_name: documented(optionalText(), {
    description:
      'The project the experiment was logged in, by name (or `project_id`). Required with `experiment_name`.',
  }),
  project_id: documented(optionalUuid('project_name'), {
    description: 'Project UUID (instead of `project_name`).',
  }),
  experiment_name: documented(optionalText(), {
    description:
      'The experiment `braintrust eval` logged, by its exact name in the project (or `experiment_id`).',
  }),
  experiment_id: documented(optionalUuid('experiment_name'), {
    description: 'The experiment UUID (instead of `experiment_name`).',
  }),
  score_name: documented(optionalText(), {
    description:
      "The score that judges each row (a scorer's name, e.g. `Factuality`). Required when the rows carry more than one score; the error lists them.",
  }),
  score_floor: documented(optionalNumber({ min: 0, max: 1 }), {
    description:
      'Policy: the gate fires when the mean score is below this floor (Braintrust: the mean of `score_name` over the rows evaluated, 0 to 1).',
  }),
  pass_score: documented(
    optionalNumber({ min: 0, max: 1 }).transform((value) => value ?? 1),
    {
      description:
        'A row passes when its `score_name` score is at least this, 0 to 1 (for `min_pass_rate`, `max_failures` and the failing cases). Default: 1.',
    },
  ),
  min_pass_rate: documented(fraction(), {
    description: 'Threshold: least pass rate, a fraction from 0 to 1 ("0.85", not "85").',
  }),
  max_failures: documented(optionalNumber({ min: 0, integer: true }), {
    description: 'Threshold: most failures allowed.',
  }),
  max_pass_rate_drop: documented(fraction(), {
    description:
      'Most the pass rate may fall below the baseline\'s (the base branch\'s verdict on GitHub, `--baseline-report` on the command line), a fraction ("0.05": 5 points).',
  }),
});
export type BraintrustInputs = z.output<typeof BraintrustInputs>;

/** The rules between Braintrust inputs. */
export const BRAINTRUST_RULES: CrossRule<BraintrustInputs>[] = [
  {
    inputs: ['experiment_name', 'experiment_id'],
    broken: (i) => (i.experiment_name === undefined) === (i.experiment_id === undefined),
    message:
      "give exactly one with `backend: braintrust`: the experiment's name (looked up in its project) or its UUID.",
  },
  {
    inputs: ['project_name', 'project_id'],
    broken: (i) => i.project_name !== undefined && i.project_id !== undefined,
    message: "give one of them, not both: the project's name or its UUID.",
  },
  {
    inputs: ['project_name', 'project_id'],
    broken: (i) =>
      i.experiment_name !== undefined && i.project_name === undefined && i.project_id === undefined,
    message:
      'one is required to look up `experiment_name`: experiment names are unique only within a project.',
  },
  {
    inputs: ['score_floor', 'min_pass_rate', 'max_failures', 'max_pass_rate_drop'],
    broken: (i) =>
      i.score_floor === undefined &&
      i.min_pass_rate === undefined &&
      i.max_failures === undefined &&
      i.max_pass_rate_drop === undefined,
    message:
      'give at least one: Braintrust decides nothing of its own, so without a threshold every experiment would pass.',
  },
];

import { z } from 'zod';
import { documented } from '../../inputs/declare.js';
import {
  type CrossRule,
  oneOf,
  optionalNumber,
  optionalText,
  optionalUuid,
} from '../../inputs/fields.js';

/** The TruLayer inputs, documented and validated. */
export const TruLayerInputs = z.object({
  dataset_id: documented(optionalUuid(), { description: 'Dataset UUID (required).' }),
  eval_version_id: documented(optionalUuid(), {
    description: 'Schedule a new eval run of this eval version on the dataset.',
  }),
  eval_run_id: documented(optionalUuid(), {
    description: 'Gate an existing eval run (instead of `eval_version_id`).',
  }),
  baseline_run_id: documented(
    optionalText().refine(
      (value) =>
        value === undefined ||
        value === 'auto' ||
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
      {
        message: 'must be an eval run UUID or `auto`',
      },
    ),
    {
      description:
        "Baseline eval run that `delta_tolerance` compares against, or `auto`: the base branch's eval run, read back from this gate's check on the base commit.",
    },
  ),
  score_floor: documented(optionalNumber(), {
    description: 'Policy: the gate fires when mean_score is below this floor.',
  }),
  delta_tolerance: documented(
    optionalNumber({ max: 0, hint: (value) => `a drop is negative: write "${-value}"` }),
    {
      description:
        'Policy: a negative number ("-0.02"); the gate fires when the score drops more than this below the baseline. Needs `baseline_run_id`.',
    },
  ),
  on_fail: documented(oneOf(['warn', 'block'], 'block'), {
    description: 'Policy: what a fired gate decides, `warn` or `block`. Default: block.',
  }),
});
export type TruLayerInputs = z.output<typeof TruLayerInputs>;

/** The rules between TruLayer inputs. */
export const TRULAYER_RULES: CrossRule<TruLayerInputs>[] = [
  {
    inputs: ['dataset_id'],
    broken: (i) => i.dataset_id === undefined,
    message: 'is required with `backend: trulayer`; set it to the dataset UUID.',
  },
  {
    inputs: ['eval_version_id', 'eval_run_id'],
    broken: (i) => (i.eval_version_id === undefined) === (i.eval_run_id === undefined),
    message:
      'give exactly one: `eval_version_id` schedules a new eval run, `eval_run_id` gates one that exists.',
  },
  {
    inputs: ['delta_tolerance', 'baseline_run_id'],
    broken: (i) => i.delta_tolerance !== undefined && i.baseline_run_id === undefined,
    message: '`delta_tolerance` compares against a baseline: set `baseline_run_id` too.',
  },
  {
    inputs: ['score_floor', 'delta_tolerance'],
    broken: (i) => i.score_floor === undefined && i.delta_tolerance === undefined,
    message: "give at least one: without a policy, TruLayer's gate passes every run.",
  },
];

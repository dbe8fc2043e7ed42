import { z } from 'zod';
import { type CrossRule, oneOf, optionalNumber, optionalUuid } from '../../inputs/fields.js';

/** Inputs only the TruLayer backend reads. */
export const TRULAYER_INPUT_NAMES = ['dataset_id', 'eval_version_id', 'eval_run_id', 'baseline_run_id', 'score_floor', 'delta_tolerance', 'on_fail'] as const;

/** The TruLayer inputs, validated. */
export const TruLayerInputs = z.object({
  token: z.string().trim(),
  dataset_id: optionalUuid(),
  eval_version_id: optionalUuid(),
  eval_run_id: optionalUuid(),
  baseline_run_id: optionalUuid(),
  score_floor: optionalNumber(),
  delta_tolerance: optionalNumber({ max: 0, hint: (value) => `a drop is negative: write "${-value}"` }),
  on_fail: oneOf(['warn', 'block'], 'block'),
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
    message: 'give exactly one: `eval_version_id` schedules a new eval run, `eval_run_id` gates one that exists.',
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

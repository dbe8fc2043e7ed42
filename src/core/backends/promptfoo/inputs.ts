import { z } from 'zod';
import { documented } from '../../inputs/declare.js';
import { type CrossRule, fraction, optionalNumber, optionalText } from '../../inputs/fields.js';

/** The promptfoo inputs, documented and validated. */
export const PromptfooInputs = z.object({
  results_file: documented(optionalText(), {
    description:
      'The JSON file `promptfoo eval -o FILE` wrote in an earlier step (in the workspace; results version 3). Required with `backend: promptfoo`.',
  }),
  min_pass_rate: documented(fraction(), {
    description: 'Threshold: least pass rate, a fraction from 0 to 1 ("0.85", not "85").',
  }),
  max_failures: documented(optionalNumber({ min: 0, integer: true }), {
    description: 'Threshold: most failures allowed.',
  }),
  max_cost: documented(optionalNumber({ min: 0 }), {
    description:
      'Threshold: most the evaluation may cost, in US dollars ("2.50"), judged on the rows that carry a price (the reason says how many did not).',
  }),
  max_pass_rate_drop: documented(fraction(), {
    description:
      'Most the pass rate may fall below the baseline\'s (the base branch\'s verdict on GitHub, `--baseline-report` on the command line), a fraction ("0.05": 5 points).',
  }),
});
export type PromptfooInputs = z.output<typeof PromptfooInputs>;

/** The rules between promptfoo inputs. */
export const PROMPTFOO_RULES: CrossRule<PromptfooInputs>[] = [
  {
    inputs: ['results_file'],
    broken: (i) => i.results_file === undefined,
    message:
      'is required with `backend: promptfoo`: set it to the file `promptfoo eval -o results.json` wrote in an earlier step.',
  },
];

import { z } from 'zod';
import { documented } from '../../inputs/declare.js';
import {
  type CrossRule,
  fraction,
  optionalNumber,
  optionalText,
  optionalUuid,
} from '../../inputs/fields.js';

/** The Sepurux inputs, documented and validated; the documented defaults applied. */
export const SepuruxInputs = z.object({
  project_id: documented(optionalUuid(), {
    description: 'Project UUID. Required to upload `trace_file` or resolve `campaign_name`.',
  }),
  trace_file: documented(optionalText(), {
    description:
      'Path to a JSON trace (one JSON object, at most 256 MiB) written by an earlier step; uploaded, and its new id gated.',
  }),
  trace_id: documented(optionalText(), {
    description: 'Id of a trace that already exists (instead of `trace_file`).',
  }),
  campaign_name: documented(optionalText(), {
    description: 'Campaign name, resolved to its id through the campaigns API (exact match).',
  }),
  campaign_id: documented(optionalUuid('campaign_name'), {
    description: 'Campaign UUID (instead of `campaign_name`).',
  }),
  min_pass_rate: documented(fraction(), {
    description: 'Threshold: least pass rate, a fraction from 0 to 1 ("0.85", not "85").',
  }),
  max_unsafe: documented(
    optionalNumber({ min: 0, integer: true }).transform((value) => value ?? 0),
    { description: 'Threshold: most unsafe attempts allowed. Default: 0.' },
  ),
  max_failures: documented(optionalNumber({ min: 0, integer: true }), {
    description: 'Threshold: most failures allowed.',
  }),
  min_reliability_score: documented(optionalNumber({ min: 0, max: 100 }), {
    description: 'Threshold: least reliability score, 0 to 100.',
  }),
  max_pass_rate_drop: documented(fraction(), {
    description:
      'Most the pass rate may fall below the baseline\'s (the base branch\'s verdict on GitHub, `--baseline-report` on the command line), a fraction ("0.05": 5 points).',
  }),
  max_reliability_drop: documented(optionalNumber({ min: 0, max: 100 }), {
    description: "Most the reliability score may fall below the baseline's, in points.",
  }),
});
export type SepuruxInputs = z.output<typeof SepuruxInputs>;

/** The rules between Sepurux inputs. */
export const SEPURUX_RULES: CrossRule<SepuruxInputs>[] = [
  {
    inputs: ['trace_file', 'trace_id'],
    broken: (i) => i.trace_file !== undefined && i.trace_id !== undefined,
    message:
      'give one of them, not both: `trace_file` uploads a new trace, `trace_id` gates one that exists.',
  },
  {
    inputs: ['campaign_name', 'campaign_id'],
    broken: (i) => (i.campaign_name === undefined) === (i.campaign_id === undefined),
    message: "give exactly one: the campaign's name (looked up) or its UUID.",
  },
  {
    inputs: ['project_id'],
    broken: (i) =>
      i.project_id === undefined && (i.trace_file !== undefined || i.campaign_name !== undefined),
    message:
      'is required to upload `trace_file` or look up `campaign_name`; set it to the Sepurux project UUID (or use `trace_id` and `campaign_id`).',
  },
];

import { z } from 'zod';
import { type CrossRule, fraction, optionalNumber, optionalText, optionalUuid } from '../../inputs/fields.js';

/** Inputs only the Sepurux backend reads. */
export const SEPURUX_INPUT_NAMES = [
  'project_id',
  'trace_file',
  'trace_id',
  'campaign_name',
  'campaign_id',
  'min_pass_rate',
  'max_unsafe',
  'max_failures',
  'min_reliability_score',
  'min_coverage',
] as const;

/** The Sepurux inputs, validated; defaults of CONTRACT.md applied. */
export const SepuruxInputs = z.object({
  token: z.string().trim(),
  project_id: optionalUuid(),
  trace_file: optionalText(),
  trace_id: optionalText(),
  campaign_name: optionalText(),
  campaign_id: optionalUuid('campaign_name'),
  min_pass_rate: fraction(),
  max_unsafe: optionalNumber({ min: 0, integer: true }).transform((value) => value ?? 0),
  max_failures: optionalNumber({ min: 0, integer: true }),
  min_reliability_score: optionalNumber({ min: 0, max: 100 }),
  min_coverage: optionalNumber({ min: 0, max: 100 }).transform((value) => value ?? 100),
});
export type SepuruxInputs = z.output<typeof SepuruxInputs>;

/** The rules between Sepurux inputs. */
export const SEPURUX_RULES: CrossRule<SepuruxInputs>[] = [
  {
    inputs: ['trace_file', 'trace_id'],
    broken: (i) => i.trace_file !== undefined && i.trace_id !== undefined,
    message: 'give one of them, not both: `trace_file` uploads a new trace, `trace_id` gates one that exists.',
  },
  {
    inputs: ['campaign_name', 'campaign_id'],
    broken: (i) => (i.campaign_name === undefined) === (i.campaign_id === undefined),
    message: 'give exactly one: the campaign\'s name (looked up) or its UUID.',
  },
  {
    inputs: ['project_id'],
    broken: (i) => i.project_id === undefined && (i.trace_file !== undefined || i.campaign_name !== undefined),
    message: 'is required to upload `trace_file` or look up `campaign_name`; set it to the Sepurux project UUID (or use `trace_id` and `campaign_id`).',
  },
];

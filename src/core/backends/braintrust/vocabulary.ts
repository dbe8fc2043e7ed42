import { DOMAINS, type FigureSpec } from '../../verdict/figures.js';
import type { ThresholdSpec } from '../../verdict/verdict.js';
import type { IdSpec } from '../types.js';

/** The figures an experiment's rows add up to (contract section 13). */
export const BRAINTRUST_FIGURES: readonly FigureSpec[] = [
  {
    name: 'mean_score',
    label: 'Mean score',
    // One output, one meaning: TruLayer's mean score bounds no range. Braintrust's scores are held
    // to 0..1 as each row is read (its description's bounds), so their mean is too.
    domain: DOMAINS.finite,
    description:
      'Braintrust: the mean of `score_name` over the rows evaluated (errored and unscored rows left out), 0 to 1.',
  },
  {
    name: 'pass_rate',
    label: 'Pass rate',
    domain: DOMAINS.fraction,
    trials: 'rows_evaluated',
    description:
      'Braintrust: rows whose `score_name` reaches `pass_score`, over the rows evaluated, 0 to 1.',
  },
  {
    name: 'failures',
    label: 'Failures',
    domain: DOMAINS.count,
    description: 'Braintrust: rows evaluated whose `score_name` is under `pass_score`.',
  },
  {
    name: 'rows_evaluated',
    label: 'Rows evaluated',
    domain: DOMAINS.count,
    description: 'Braintrust: rows (root spans) with a `score_name` score and no error.',
  },
  {
    name: 'rows_errored',
    label: 'Rows errored',
    domain: DOMAINS.count,
    description:
      'Braintrust: rows with `error` set, or whose `score_name` score is null: not evaluated, never a pass or a failure.',
  },
  {
    name: 'cases',
    label: 'Cases',
    domain: DOMAINS.count,
    description:
      "Braintrust: cases (a dataset record, else an input; an experiment's trials of one are one case).",
  },
  {
    name: 'cases_failing',
    label: 'Cases failing',
    domain: DOMAINS.count,
    description: 'Braintrust: cases with at least one failing row.',
  },
  {
    name: 'tokens',
    label: 'Tokens',
    domain: DOMAINS.count,
    description:
      "Braintrust: tokens the rows used (`metrics.tokens`, summed over the rows that carry it). Braintrust's rows carry no price, so no cost is reported.",
  },
  {
    name: 'row_coverage_pct',
    label: 'Row coverage',
    unit: '%',
    domain: DOMAINS.percentage,
    description: 'Braintrust: share of the rows evaluated (not errored, scored), 0 to 100.',
    coverage: true,
  },
];

/** The ids a Braintrust gate learns. */
export const BRAINTRUST_IDS: readonly IdSpec[] = [
  {
    name: 'experiment_id',
    label: 'experiment',
    description: 'Braintrust: the experiment gated.',
    perRun: true,
  },
  {
    name: 'project_id',
    label: 'project',
    description: "Braintrust: the experiment's project.",
  },
  {
    name: 'score_name',
    label: 'score',
    description: 'Braintrust: the score that judged each row.',
  },
];

/** The Braintrust thresholds: each bounds a figure the rows add up to. */
export const BRAINTRUST_THRESHOLDS: readonly ThresholdSpec[] = [
  { input: 'score_floor', figure: 'mean_score', comparator: '>=' },
  { input: 'min_pass_rate', figure: 'pass_rate', comparator: '>=' },
  { input: 'max_failures', figure: 'failures', comparator: '<=' },
  { input: 'min_coverage', figure: 'row_coverage_pct', comparator: '>=' },
];

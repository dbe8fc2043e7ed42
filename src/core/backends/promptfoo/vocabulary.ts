import { DOMAINS, type FigureSpec } from '../../verdict/figures.js';
import type { ThresholdSpec } from '../../verdict/verdict.js';

/** The figures a promptfoo results file adds up to (contract section 12). */
export const PROMPTFOO_FIGURES: readonly FigureSpec[] = [
  {
    name: 'pass_rate',
    label: 'Pass rate',
    domain: DOMAINS.fraction,
    trials: 'rows_evaluated',
    description: 'promptfoo: rows passed over rows evaluated (errors left out), 0 to 1.',
  },
  {
    name: 'failures',
    label: 'Failures',
    domain: DOMAINS.count,
    description: 'promptfoo: rows whose assertions failed.',
  },
  {
    name: 'rows_evaluated',
    label: 'Rows evaluated',
    domain: DOMAINS.count,
    description: 'promptfoo: rows that passed or failed (not errored).',
  },
  {
    name: 'rows_errored',
    label: 'Rows errored',
    domain: DOMAINS.count,
    description:
      'promptfoo: rows the provider or a grader did not finish (`failureReason` 2): not evaluated, never a pass or a failure.',
  },
  {
    name: 'cases',
    label: 'Cases',
    domain: DOMAINS.count,
    description:
      'promptfoo: cases (a test × prompt × provider; `--repeat` rows of one are one case).',
  },
  {
    name: 'cases_failing',
    label: 'Cases failing',
    domain: DOMAINS.count,
    description: 'promptfoo: cases with at least one failing row.',
  },
  {
    name: 'cost',
    label: 'Cost',
    unit: ' USD',
    domain: { min: 0, described: 'an amount of US dollars of at least 0' },
    description:
      'US dollars the evaluation cost, summed over the rows that carry a price (a row without one is unpriced, never zero).',
  },
  {
    name: 'row_coverage_pct',
    label: 'Row coverage',
    unit: '%',
    domain: DOMAINS.percentage,
    description: 'promptfoo: share of the rows evaluated (not errored), 0 to 100.',
    coverage: true,
  },
];

/** The promptfoo thresholds: each bounds a figure the file adds up to. */
export const PROMPTFOO_THRESHOLDS: readonly ThresholdSpec[] = [
  { input: 'min_pass_rate', figure: 'pass_rate', comparator: '>=' },
  { input: 'max_failures', figure: 'failures', comparator: '<=' },
  { input: 'max_cost', figure: 'cost', comparator: '<=' },
  { input: 'min_coverage', figure: 'row_coverage_pct', comparator: '>=' },
];

import { DOMAINS, type FigureSpec } from '../../verdict/figures.js';
import type { ThresholdSpec } from '../../verdict/verdict.js';
import type { IdSpec } from '../types.js';

/** The figures a Sepurux run or batch returns (docs/sepurux.md). */
export const SEPURUX_FIGURES: readonly FigureSpec[] = [
  {
    name: 'pass_rate',
    label: 'Pass rate',
    domain: DOMAINS.fraction,
    trials: 'trace_count',
    description: 'Sepurux pass rate, a fraction from 0 to 1, as returned.',
  },
  {
    name: 'unsafe_attempts',
    label: 'Unsafe attempts',
    domain: DOMAINS.count,
    description: 'Sepurux unsafe attempts, as returned.',
  },
  {
    name: 'failures',
    label: 'Failures',
    domain: DOMAINS.count,
    description: 'Sepurux failures, as returned.',
  },
  {
    name: 'reliability_score',
    label: 'Reliability score',
    domain: { min: 0, max: 100, described: 'a score from 0 to 100' },
    description: 'Sepurux reliability score (0 to 100), as returned.',
    weightedBy: 'trace_count',
  },
  {
    name: 'trace_count',
    label: 'Traces',
    domain: DOMAINS.count,
    description: 'Traces the Sepurux run or batch evaluated.',
  },
  {
    name: 'scenario_coverage_pct',
    label: 'Scenario coverage',
    unit: '%',
    domain: DOMAINS.percentage,
    description: "Sepurux batch: share of the campaign's scenarios covered, 0 to 100.",
    weightedBy: 'trace_count',
    coverage: true,
  },
];

/** The ids a Sepurux gate learns. */
export const SEPURUX_IDS: readonly IdSpec[] = [
  {
    name: 'run_id',
    label: 'run',
    description: 'Backend run id (Sepurux CI run, TruLayer eval run).',
    perRun: true,
  },
  {
    name: 'trace_id',
    label: 'trace',
    description: 'Sepurux trace id (the uploaded one for `trace_file`).',
  },
  {
    name: 'campaign_id',
    label: 'campaign',
    description: 'Sepurux campaign id (the resolved one for `campaign_name`).',
  },
  {
    name: 'batch_id',
    label: 'batch',
    description: 'Sepurux batch id, when the campaign ran its eval-set.',
    perRun: true,
  },
];

/** The Sepurux thresholds; `min_coverage` applies to batches only. */
export const SEPURUX_THRESHOLDS: readonly ThresholdSpec[] = [
  { input: 'min_pass_rate', figure: 'pass_rate', comparator: '>=' },
  { input: 'max_unsafe', figure: 'unsafe_attempts', comparator: '<=' },
  { input: 'max_failures', figure: 'failures', comparator: '<=' },
  { input: 'min_reliability_score', figure: 'reliability_score', comparator: '>=' },
  { input: 'min_coverage', figure: 'scenario_coverage_pct', comparator: '>=' },
];

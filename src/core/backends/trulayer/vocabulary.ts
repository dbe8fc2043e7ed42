import { DOMAINS, type FigureSpec } from '../../verdict/figures.js';
import type { ThresholdSpec } from '../../verdict/verdict.js';
import type { IdSpec } from '../types.js';

/** The figures `POST /v1/ci/gate` returns (CIGateResponse). TruLayer publishes no bounds for scores. */
export const TRULAYER_FIGURES: readonly FigureSpec[] = [
  {
    name: 'mean_score',
    label: 'Mean score',
    domain: DOMAINS.finite,
    description: 'TruLayer mean score of the eval run, as the CI gate returned it.',
  },
  {
    name: 'mean_delta',
    label: 'Mean delta vs baseline',
    domain: DOMAINS.finite,
    description: "TruLayer mean score minus the baseline's, when a baseline was given.",
  },
  {
    name: 'item_coverage_pct',
    label: 'Items scored',
    unit: '%',
    domain: DOMAINS.percentage,
    description:
      "TruLayer eval run: share of the dataset's items it scored, 0 to 100: items with a score on every row of its export, over `item_count` (a null score is none).",
    coverage: true,
  },
];

/** The ids a TruLayer gate learns. */
export const TRULAYER_IDS: readonly IdSpec[] = [
  {
    name: 'run_id',
    label: 'run',
    description: 'Backend run id (Sepurux CI run, TruLayer eval run).',
    perRun: true,
  },
];

/** The TruLayer policy, as thresholds the gate checks again. */
export const TRULAYER_THRESHOLDS: readonly ThresholdSpec[] = [
  { input: 'score_floor', figure: 'mean_score', comparator: '>=' },
  { input: 'delta_tolerance', figure: 'mean_delta', comparator: '>=' },
];

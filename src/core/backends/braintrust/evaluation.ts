import { summarizeCases } from '../../cases/types.js';
import { InputError } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import { type ErrorBars, intervalOf, meanInterval, wilsonInterval } from '../../support/stats.js';
import { formatNumber } from '../../verdict/figures.js';
import type { Evaluation, Threshold } from '../../verdict/verdict.js';
import type { SharedInputs } from '../types.js';
import type { BraintrustInputs } from './inputs.js';
import type { Experiment, ExperimentEvent } from './schemas.js';
import { headlineScore, scoreNames, type Tally, tallyRows } from './tally.js';
import { BRAINTRUST_THRESHOLDS } from './vocabulary.js';

/** What the rows are judged with. */
export interface Judging {
  experiment: Experiment;
  inputs: BraintrustInputs;
  shared: SharedInputs;
  dashboardUrl?: string;
}

/**
 * The experiment's rows as an evaluation: the headline score picked, errors apart, the
 * thresholds the user set, each case's outcome. No rows, no score at all, or rows under
 * `min_coverage` is "could not evaluate" (contract section 10), never a pass. A `score_name`
 * that names none of the scores the rows carry, or none given among several, throws an
 * {@link InputError}: a setup the gate refuses (exit 1), never an outage (exit 3) that a
 * pipeline may let pass.
 */
export function evaluationOf(rows: readonly ExperimentEvent[], judging: Judging): Evaluation {
  const { experiment, inputs, shared } = judging;
  const ids = { experiment_id: experiment.id, project_id: experiment.project_id };
  const base = {
    decision: 'pass' as const,
    status: 'read',
    ids,
    topFailingTools: [],
    thresholds: [] as Threshold[],
    ...(judging.dashboardUrl ? { dashboardUrl: judging.dashboardUrl } : {}),
  };
  const named = `experiment "${excerpt(experiment.name, 80)}"`;
  // An experiment that logged no row is more likely a broken eval step than an outage, but the
  // contract (section 12: a results file with no rows is "could not evaluate"; section 13: so
  // are an experiment's) says "could not evaluate": it stays an outage.
  if (rows.length === 0)
    return {
      ...base,
      figures: {},
      unevaluated: `${named} has no rows (root spans): check that \`braintrust eval\` logged its cases before the gate ran`,
    };
  const headline = headlineScore(scoreNames(rows), inputs.score_name, named);
  if ('misnamed' in headline) throw new InputError(headline.misnamed);
  if ('unusable' in headline)
    return { ...base, figures: {}, unevaluated: `${named}: ${headline.unusable}` };
  const tally = tallyRows(rows, headline.name, inputs.pass_score);
  const evaluated = tally.passed + tally.failed;
  const coverage = Math.floor((evaluated / tally.rows) * 10000) / 100;
  const figures = {
    ...(evaluated > 0
      ? {
          mean_score: round(tally.scores.reduce((sum, s) => sum + s, 0) / evaluated),
          pass_rate: round(tally.passed / evaluated),
        }
      : {}),
    failures: tally.failed,
    rows_evaluated: evaluated,
    rows_errored: tally.errored,
    cases: tally.cases.length,
    cases_failing: tally.cases.filter((c) => c.failed > 0).length,
    ...(tally.tokens !== undefined ? { tokens: tally.tokens } : {}),
    row_coverage_pct: coverage,
  };
  const common = {
    ...base,
    ids: { ...ids, score_name: headline.name },
    figures,
    cases: summarizeCases(tally.cases),
  };
  // Errors are never samples: below `min_coverage` nothing is judged, and an experiment with no
  // row evaluated is no evaluation, whatever `min_coverage` allows.
  if (coverage < shared.minCoverage || evaluated === 0)
    return { ...common, unevaluated: shortfall(tally, coverage, shared.minCoverage) };
  const bars = errorBarsOf(tally, shared.confidence ?? 0.95);
  return {
    ...common,
    reason: saidOf(tally, named, headline.name, inputs.pass_score),
    ...(bars ? { errorBars: bars } : {}),
    thresholds: thresholdsOf(inputs, shared).map((t) => {
      const interval = shared.confidence === undefined ? undefined : intervalOf(bars, t.figure);
      return interval ? { ...t, interval, onInconclusive: shared.onInconclusive } : t;
    }),
  };
}

/** The thresholds the user set (the input rules ask for one at least). */
function thresholdsOf(inputs: BraintrustInputs, shared: SharedInputs): Threshold[] {
  const limits: Record<string, number | undefined> = {
    score_floor: inputs.score_floor,
    min_pass_rate: inputs.min_pass_rate,
    max_failures: inputs.max_failures,
    min_coverage: shared.minCoverage,
  };
  return BRAINTRUST_THRESHOLDS.flatMap((spec) => {
    const limit = limits[spec.input];
    return typeof limit === 'number' ? [{ ...spec, limit, breaks: 'fail' as const }] : [];
  });
}

/** What the rows say, in one sentence: passed of evaluated on the score, the mean, cases, errors. */
function saidOf(tally: Tally, named: string, score: string, passScore: number): string {
  const evaluated = tally.passed + tally.failed;
  const mean = tally.scores.reduce((sum, s) => sum + s, 0) / evaluated;
  const cases = tally.cases.length;
  const errored = tally.errored
    ? `, and ${tally.errored} errored (not evaluated: ${tally.errors[0]?.message ?? 'no message'})`
    : '';
  return `${tally.passed} of ${evaluated} ${evaluated === 1 ? 'row' : 'rows'} of ${named} reached ${excerpt(score, 60)} ${formatNumber(passScore)} (mean ${formatNumber(round(mean))}), in ${cases} ${cases === 1 ? 'case' : 'cases'}${errored}`;
}

/** Why the experiment could not be judged: too many rows errored or went unscored. */
function shortfall(tally: Tally, coverage: number, least: number): string {
  const first = tally.errors
    .slice(0, 3)
    .map((e) => `${e.count} × ${e.message}`)
    .join('; ');
  const why =
    coverage < least
      ? `under \`min_coverage\` ${formatNumber(least)}%`
      : 'and an experiment with no row evaluated is no evaluation';
  return `${tally.errored} of ${tally.rows} rows errored or were not scored, so ${formatNumber(coverage)}% were evaluated, ${why} (${first})`;
}

/** The pass rate's Wilson interval and the mean score's t interval, over the rows evaluated. */
function errorBarsOf(tally: Tally, confidence: number): ErrorBars | undefined {
  const evaluated = tally.passed + tally.failed;
  const rate = evaluated >= 2 ? wilsonInterval(tally.passed, evaluated, confidence) : undefined;
  const t = meanInterval(tally.scores, confidence);
  // A score is 0..1, so its mean is too: the t interval's tails past either end are cut off.
  const mean = t && { ...t, low: Math.max(0, t.low), high: Math.min(1, t.high) };
  const intervals = [
    ...(rate ? [{ figure: 'pass_rate', label: 'pass rate', interval: rate }] : []),
    ...(mean ? [{ figure: 'mean_score', label: 'mean score', interval: mean }] : []),
  ];
  return intervals.length ? { basis: 'rows evaluated', intervals, regressed: [] } : undefined;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

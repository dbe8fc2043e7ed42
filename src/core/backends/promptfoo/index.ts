import { formatNumber } from '../../verdict/figures.js';
import { parseInputs, type RawInputs } from '../../inputs/fields.js';
import { type ErrorBars, intervalOf, wilsonInterval } from '../../support/stats.js';
import { summarizeCases } from '../../cases/types.js';
import type { Evaluation, Threshold } from '../../verdict/verdict.js';
import type { Backend, PreparedGate, SharedInputs } from '../types.js';
import { type Tally, tallyRows } from './cases.js';
import { PROMPTFOO_RULES, PromptfooInputs } from './inputs.js';
import { readResultsFile, type ResultsFile } from './results-file.js';
import { PROMPTFOO_FIGURES, PROMPTFOO_THRESHOLDS } from './vocabulary.js';

/**
 * promptfoo: the workflow's own step ran `promptfoo eval -o FILE`; the gate reads that file
 * (contract section 12). It starts nothing and polls nothing, so it has no token, API root,
 * repeats or retries: the evaluation is the file.
 */
export const promptfoo: Backend = {
  id: 'promptfoo',
  displayName: 'promptfoo',
  evaluates: { kind: 'reads', what: '`results_file`, the file `promptfoo eval -o FILE` wrote' },
  defaultCheckName: 'promptfoo Gate',
  intervals: 'the Wilson interval of the pass rate over the rows evaluated',
  inputs: PromptfooInputs,
  figures: PROMPTFOO_FIGURES,
  ids: [
    {
      name: 'eval_id',
      label: 'eval',
      description: "promptfoo's eval id, from the results file.",
    },
    {
      name: 'suite',
      label: 'suite',
      description: "promptfoo: the suite's `description`, from the results file's config.",
    },
  ],
  thresholds: PROMPTFOO_THRESHOLDS,
  drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate' }],
  headlineFigure: 'pass_rate',
  alternatives: [],
  // A base verdict of another suite (another `description`) is not comparable.
  comparable: [{ name: 'suite', label: 'suite', from: { id: 'suite' } }],
  async prepare(raw: RawInputs, shared: SharedInputs): Promise<PreparedGate> {
    const inputs = parseInputs(PromptfooInputs, raw, PROMPTFOO_RULES);
    const file = await readResultsFile(inputs.results_file ?? '', shared.workspace);
    return {
      // Read once, judged once: another attempt would read the same file.
      restartable: false,
      run: async () => evaluationOf(file, inputs, shared),
    };
  },
};

/** The file's rows as an evaluation: errors apart, thresholds the user set, each case's outcome. */
function evaluationOf(
  file: ResultsFile | { unusable: string },
  inputs: PromptfooInputs,
  shared: SharedInputs,
): Evaluation {
  const ids = 'unusable' in file ? {} : { eval_id: file.evalId, suite: file.description };
  const base = { status: 'read', ids, topFailingTools: [], thresholds: [] as Threshold[] };
  if ('unusable' in file)
    return { ...base, decision: 'fail', figures: {}, unevaluated: file.unusable };
  const tally = tallyRows(file.rows);
  const evaluated = tally.passed + tally.failed;
  const coverage = Math.floor((evaluated / tally.rows) * 10000) / 100;
  const figures = {
    ...(evaluated > 0 ? { pass_rate: round(tally.passed / evaluated) } : {}),
    failures: tally.failed,
    rows_evaluated: evaluated,
    rows_errored: tally.errored,
    cases: tally.cases.length,
    cases_failing: tally.cases.filter((c) => c.failed > 0).length,
    ...(tally.unpriced < tally.rows ? { cost: tally.cost } : {}),
    row_coverage_pct: coverage,
  };
  const common = {
    ...base,
    decision: 'pass' as const,
    figures,
    cases: summarizeCases(tally.cases),
    ...(file.shareableUrl ? { dashboardUrl: file.shareableUrl } : {}),
  };
  // Errors are never samples: below `min_coverage` nothing is judged (contract section 10), and a
  // file with no row evaluated is no evaluation, whatever `min_coverage` allows.
  if (coverage < shared.minCoverage || evaluated === 0)
    return { ...common, unevaluated: shortfall(tally, coverage, shared.minCoverage) };
  const bars = passRateBars(tally, shared.confidence ?? 0.95);
  const interval = shared.confidence === undefined ? undefined : intervalOf(bars, 'pass_rate');
  return {
    ...common,
    reason: saidOf(tally, file, inputs),
    ...(bars ? { errorBars: bars } : {}),
    thresholds: thresholdsOf(inputs, shared).map((t) =>
      interval && t.figure === 'pass_rate'
        ? { ...t, interval, onInconclusive: shared.onInconclusive }
        : t,
    ),
  };
}

/**
 * The thresholds the user set. promptfoo itself fails a run with any failing row (it exits 100):
 * without `min_pass_rate` or `max_failures`, the gate holds the same line, `max_failures: 0`.
 */
function thresholdsOf(inputs: PromptfooInputs, shared: SharedInputs): Threshold[] {
  // Without a pass-rate or failure threshold, promptfoo's own line: no failing row.
  const promptfooLine = inputs.min_pass_rate === undefined && inputs.max_failures === undefined;
  const limits: Record<string, number | undefined> = {
    min_pass_rate: inputs.min_pass_rate,
    max_failures: promptfooLine ? 0 : inputs.max_failures,
    max_cost: inputs.max_cost,
    min_coverage: shared.minCoverage,
  };
  return PROMPTFOO_THRESHOLDS.flatMap((spec) => {
    const limit = limits[spec.input];
    return typeof limit === 'number' ? [{ ...spec, limit, breaks: 'fail' as const }] : [];
  });
}

/** What the file says, in one sentence: rows, cases, errors and the unpriced rows. */
function saidOf(tally: Tally, file: ResultsFile, inputs: PromptfooInputs): string {
  const evaluated = tally.passed + tally.failed;
  const suite = file.description ? ` of "${file.description}"` : '';
  const cases = tally.cases.length;
  const errored = tally.errored
    ? `, and ${tally.errored} errored (not evaluated: ${tally.errors[0]?.message ?? 'no message'})`
    : '';
  const unpriced =
    tally.unpriced > 0 && tally.unpriced < tally.rows
      ? `; ${tally.unpriced} of ${tally.rows} rows carry no price, so the cost counts the others`
      : '';
  const line =
    inputs.min_pass_rate === undefined && inputs.max_failures === undefined
      ? "; with neither `min_pass_rate` nor `max_failures` set, no row may fail, as promptfoo's own exit code has it"
      : '';
  return `${tally.passed} of ${evaluated} ${evaluated === 1 ? 'row' : 'rows'}${suite} passed, in ${cases} ${cases === 1 ? 'case' : 'cases'}${errored}${unpriced}${line}`;
}

/** Why the file could not be judged: too many rows errored. */
function shortfall(tally: Tally, coverage: number, least: number): string {
  const first = tally.errors
    .slice(0, 3)
    .map((e) => `${e.count} × ${e.message}`)
    .join('; ');
  const why =
    coverage < least
      ? `under \`min_coverage\` ${formatNumber(least)}%`
      : 'and a file with no row evaluated is no evaluation';
  return `${tally.errored} of ${tally.rows} rows errored, so ${formatNumber(coverage)}% were evaluated, ${why} (${first})`;
}

/** The pass rate's Wilson interval over the rows evaluated, when two or more were. */
function passRateBars(tally: Tally, confidence: number): ErrorBars | undefined {
  const evaluated = tally.passed + tally.failed;
  const interval = evaluated >= 2 ? wilsonInterval(tally.passed, evaluated, confidence) : undefined;
  return interval
    ? {
        basis: 'rows evaluated',
        intervals: [{ figure: 'pass_rate', label: 'pass rate', interval }],
        regressed: [],
      }
    : undefined;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

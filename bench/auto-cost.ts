/** What `repeats: auto` costs by true rate, and beside a backend that errors on 10% of runs. */
import { binomialOutcome, seededRandom } from '../test/support/fake-sepurux.js';
import { quick, record, sections } from './common.js';
import { simulatePullRequests } from './repeats.js';

/** The true pass rates `repeats: auto` is priced over: far below, at, and far above the bound 0.85. */
const COST_RATES = [0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0];
/** What each run says of the trials behind its rate: none (one trace of 20 attempts), or 20 (as a batch of 20 traces does). */
const TRIAL_MODELS = [
  {
    name: "one trace of 20 attempts (trials unknown: the test on the runs' values)",
    knownTrials: false,
  },
  {
    name: "20 trials said (`trace_count` 20: Wald's test on the pooled passes)",
    knownTrials: true,
  },
];

/**
 * What a `repeats: auto` verdict costs, by how far the agent is from the bound: simulated pull
 * requests through the bundled action against the noisy fake (20 attempts a run at the true
 * rate, seeded), `min_pass_rate: 0.85`, margin 0.05, at most 5 runs. For each true rate, the runs
 * per verdict and the wrong verdicts: a pass below 0.85 is a miss, a fail above it a false fail
 * (at 0.85 itself either is fine). Target: a verdict far from the bound (0.5, 0.7, 1.0) costs at
 * most 2 runs on average.
 */
export async function autoCost() {
  const prs = quick ? 2 : 100;
  const table = [
    '| what a run says of its trials | true rate | fail | pass | wrong | runs per verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [m, model] of TRIAL_MODELS.entries()) {
    for (const [t, rate] of COST_RATES.entries()) {
      const draw = binomialOutcome(rate, 20, seededRandom(5000 + 1000 * m + 100 * t + 1), {
        knownTrials: model.knownTrials,
      });
      const cell = await simulatePullRequests(
        prs,
        draw,
        { repeats: 'auto', max_repeats: '5', margin: '0.05', poll_interval: '1' },
        30_000,
      );
      const pct = (n: number) => `${((100 * n) / prs).toFixed(1)}%`;
      const wrong =
        rate < 0.85
          ? `${pct(cell.passed)} missed`
          : rate > 0.85
            ? `${pct(cell.failed)} false fail`
            : 'either is fine';
      const runs = cell.runs / prs;
      table.push(
        `| ${model.name} | ${rate.toFixed(2)} | ${pct(cell.failed)} | ${pct(cell.passed)} | ${wrong} | ${runs.toFixed(2)} |`,
      );
      console.log(table.at(-1));
      const far = rate <= 0.7 || rate >= 1;
      record({
        measure: `\`repeats: auto\` at true ${rate.toFixed(2)}, ${model.knownTrials ? '20 trials said' : 'trials unknown'}: runs per verdict, wrong`,
        value: `${runs.toFixed(2)} runs, ${wrong}`,
        ...(far && !quick ? { target: '≤ 2 runs', met: runs <= 2 } : {}),
      });
    }
  }
  sections.push(
    [
      '## What a `repeats: auto` verdict costs, by true rate',
      '',
      `${prs} simulated pull requests for each true pass rate, each through the bundled action against the fake Sepurux, whose runs draw 20 attempts at the true rate (Binomial, seeded) and decide from the thresholds sent. \`min_pass_rate: 0.85\`, \`repeats: auto\`, margin 0.05, at most 5 runs. A run with one trace does not say how many attempts are behind its rate, so the test weighs the runs' values (a spread needs two); a run that says its trials (20) is judged by Wald's test on the pooled passes.`,
      '',
      ...table,
    ].join('\n'),
  );
}

/** The rules priced against a backend that errors: one run and `repeats: auto`, each with and without a retry. */
const ERROR_RULES: { name: string; inputs: Record<string, string> }[] = [
  { name: 'one run, `retry_errors: 0`', inputs: { retry_errors: '0' } },
  { name: 'one run, `retry_errors: 1` (the default)', inputs: {} },
  {
    name: '`repeats: auto`, `retry_errors: 0`',
    inputs: { repeats: 'auto', max_repeats: '5', poll_interval: '1', retry_errors: '0' },
  },
  {
    name: '`repeats: auto`, `retry_errors: 1` (the default)',
    inputs: { repeats: 'auto', max_repeats: '5', poll_interval: '1' },
  },
];
/** The share of runs the backend fails (status `failed`, no verdict). */
const ERROR_RATE = 0.1;

/**
 * A gate whose backend errors on 10% of its runs (status `failed`, seeded), at true pass rates
 * 0.90 and 0.80 (`min_pass_rate: 0.85`): how often the gate decides (no error left), how often
 * it is wrong (a false fail at 0.90, a miss at 0.80; "could not evaluate" is a fail, so it
 * counts as a false fail where the agent is good), and what it costs in backend runs started.
 * Target: with the default `retry_errors: 1`, at least 97% of verdicts decided.
 */
export async function errorCost() {
  const prs = quick ? 2 : 100;
  const table = [
    '| rule | true rate | decided (no error left) | wrong | evaluated runs per verdict | runs started per verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [r, rule] of ERROR_RULES.entries()) {
    for (const [t, rate] of [0.9, 0.8].entries()) {
      const random = seededRandom(9000 + 100 * r + 10 * t + 1);
      const agent = binomialOutcome(rate, 20, seededRandom(7000 + 100 * r + 10 * t + 1));
      const draw = () => (random() < ERROR_RATE ? { status: 'failed' } : agent());
      const cell = await simulatePullRequests(prs, draw, rule.inputs, 50_000);
      const pct = (n: number) => `${((100 * n) / prs).toFixed(1)}%`;
      const decided = (prs - cell.undecided) / prs;
      const wrong = rate > 0.85 ? `${pct(cell.failed)} false fail` : `${pct(cell.passed)} missed`;
      table.push(
        `| ${rule.name} | ${rate.toFixed(2)} | ${pct(prs - cell.undecided)} | ${wrong} | ${(cell.runs / prs).toFixed(2)} | ${(cell.started / prs).toFixed(2)} |`,
      );
      console.log(table.at(-1));
      const retried = !('retry_errors' in rule.inputs);
      record({
        measure: `backend errors on 10% of runs, ${rule.name.replaceAll('`', '')}, true ${rate.toFixed(2)}: decided, wrong, runs started`,
        value: `${pct(prs - cell.undecided)}, ${wrong}, ${(cell.started / prs).toFixed(2)}`,
        ...(retried && !quick ? { target: '≥ 97% decided', met: decided >= 0.97 } : {}),
      });
    }
  }
  sections.push(
    [
      '## A backend that errors on 10% of runs',
      '',
      `${prs} simulated pull requests for each rule and true pass rate, through the bundled action against the fake Sepurux, whose runs end \`failed\` (no verdict) one time in ten (seeded) and otherwise draw 20 attempts at the true rate and decide from the thresholds sent. \`min_pass_rate: 0.85\`. "Decided" is a verdict with no error left after the retries; a gate that could not evaluate fails, so at 0.90 it counts among the false fails. Runs started count every backend run, retries included.`,
      '',
      ...table,
    ].join('\n'),
  );
}

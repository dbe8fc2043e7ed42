/**
 * The simulation that chose `repeats: auto`'s test where a run does not say its trials
 * (src/core/repeats/sequential.ts): simulated gates, each drawing runs of N attempts at a true
 * rate and judging them as the gate does (a repeat a round, at most 5, the pooled value deciding
 * at the budget; `min_pass_rate: 0.85`, margin 0.05, confidence 0.95), under three rules on the
 * runs' values: the test before issue 45, a betting confidence sequence for a bounded mean, and
 * the gate's test (its own code). Seeded: the same table every run. Runs in
 * seconds, without the bundle: the rows through the bundled action are in auto-cost.ts.
 */
import { type SequentialQuestion, sequentialTest } from '../src/core/repeats/sequential.js';
import { seededRandom } from '../test/support/fake-sepurux.js';
import { quick, record, sections } from './common.js';

type Call = 'holds' | 'breaks' | 'undecided';
/** A rule: the call on the values seen so far. */
type Rule = (values: readonly number[]) => Call;

const QUESTION: SequentialQuestion = {
  input: 'min_pass_rate',
  comparator: '>=',
  limit: 0.85,
  margin: 0.05,
  alpha: 0.05,
  beta: 0.05,
};
const GOOD = QUESTION.limit + QUESTION.margin;
const BAD = QUESTION.limit - QUESTION.margin;
const MAX_RUNS = 5;

/** The gate's test, as src/core/repeats/sequential.ts has it. */
const gateRule: Rule = (values) => sequentialTest(QUESTION, { values }).call;

/**
 * The test before issue 45: the Gaussian SPRT with the runs' own variance floored at margin²
 * and no call before two values (kept here to compare with).
 */
const previousRule: Rule = (values) => {
  if (values.length < 2) return 'undecided';
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const sample = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1);
  const variance = Math.max(sample, QUESTION.margin ** 2);
  const llr = values.reduce(
    (sum, x) => sum + ((x - BAD) ** 2 - (x - GOOD) ** 2) / (2 * variance),
    0,
  );
  return llr >= Math.log(0.95 / 0.05)
    ? 'holds'
    : llr <= Math.log(0.05 / 0.95)
      ? 'breaks'
      : 'undecided';
};

/**
 * A betting confidence sequence for a bounded mean (Waudby-Smith and Ramdas, "Estimating means
 * of bounded random variables by betting", the hedged capital process with the predictable
 * plug-in bet): valid for any distribution of a run's value on [0, 1], at every look. "breaks"
 * when the capital betting against "mean ≥ good" reaches 1/β, "holds" when the one betting
 * against "mean ≤ bad" reaches 1/α (Ville's inequality). Bets truncated at 3/4 of the most each
 * side allows.
 */
const bettingRule: Rule = (values) => {
  let [against, toward] = [1, 1];
  let [sum, squares] = [0.5, 0.25];
  values.forEach((x, i) => {
    const t = i + 1;
    const spread = squares / t;
    const bet = Math.sqrt((2 * Math.log(1 / 0.05)) / (spread * t * Math.log(1 + t)));
    against *= 1 + Math.min(bet, 0.75 / (1 - GOOD)) * (GOOD - x);
    toward *= 1 + Math.min(bet, 0.75 / BAD) * (x - BAD);
    const mean = sum / t;
    squares += (x - mean) ** 2;
    sum += x;
  });
  return against >= 20 ? 'breaks' : toward >= 20 ? 'holds' : 'undecided';
};

const RULES: { name: string; rule: Rule }[] = [
  {
    name: "before issue 45 (Gaussian SPRT, the runs' own spread, no call on one value)",
    rule: previousRule,
  },
  { name: 'betting confidence sequence (valid for any spread)', rule: bettingRule },
  {
    name: "the gate's test (the runs' spread pooled with a prior one; one value may fail)",
    rule: gateRule,
  },
];
const RATES = [0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1];

/** `prs` gates at `rate`, runs of `attempts` trials: the share failed and the runs per verdict. */
function simulate(rule: Rule, rate: number, attempts: number, prs: number, seed: number) {
  const random = seededRandom(seed);
  let [failed, runs] = [0, 0];
  for (let i = 0; i < prs; i++) {
    const values: number[] = [];
    let call: Call = 'undecided';
    while (values.length < MAX_RUNS && call === 'undecided') {
      let passes = 0;
      for (let j = 0; j < attempts; j++) if (random() < rate) passes++;
      values.push(passes / attempts);
      call = rule(values);
    }
    // The gate's rule: a threshold holds when the pooled value does and the test does not call it broken.
    const pooled = values.reduce((sum, x) => sum + x, 0) / values.length;
    if (call === 'breaks' || pooled < QUESTION.limit) failed++;
    runs += values.length;
  }
  return { failed: failed / prs, runs: runs / prs };
}

/** The rows: each rule on 20-attempt runs (the bench's agent), then on 10 and 50 attempts. */
export function sequentialRules(): void {
  const prs = quick ? 500 : 20_000;
  const table = [
    '| rule | attempts a run | runs per verdict at 0.50 / 0.70 / 0.80 / 0.85 / 0.90 / 0.95 / 1.00 | false fail at 0.90 | missed at 0.80 |',
    '| --- | --- | --- | --- | --- |',
  ];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  for (const attempts of [20, 10, 50]) {
    for (const [r, { name, rule }] of RULES.entries()) {
      const cells = RATES.map((rate, t) => simulate(rule, rate, attempts, prs, 1 + 100 * r + t));
      const at = (rate: number) => cells[RATES.indexOf(rate)]!;
      const [falseFail, missed] = [at(0.9).failed, 1 - at(0.8).failed];
      table.push(
        `| ${name} | ${attempts} | ${cells.map((c) => c.runs.toFixed(2)).join(' / ')} | ${pct(falseFail)} | ${pct(missed)} |`,
      );
      if (attempts !== 20) continue;
      const gate = rule === gateRule;
      const met =
        at(0.5).runs <= 2 &&
        at(0.7).runs <= 2 &&
        falseFail <= 0.06 &&
        missed <= 0.15 &&
        at(0.9).runs <= 3.5 &&
        at(0.8).runs <= 3.7;
      record({
        measure: `values test, simulated (${prs} gates a rate, 20-attempt runs): ${name.replace(/ \(.*$/, '')}: runs at 0.50 / 0.70, false fail at 0.90, missed at 0.80, runs at 0.90 / 0.80`,
        value: `${at(0.5).runs.toFixed(2)} / ${at(0.7).runs.toFixed(2)}, ${pct(falseFail)}, ${pct(missed)}, ${at(0.9).runs.toFixed(2)} / ${at(0.8).runs.toFixed(2)}`,
        ...(gate && !quick
          ? { target: '≤ 2 / ≤ 2 runs, ≤ 6%, ≤ 15%, ≤ 3.5 / ≤ 3.7 runs', met }
          : {}),
      });
    }
  }
  sections.push(
    [
      "## Choosing `repeats: auto`'s test where a run does not say its trials",
      '',
      `${prs} simulated gates for each rule, true rate and run size, without the bundle: each draws runs of N attempts at the true rate and judges their values as the gate does (a repeat a round, at most ${MAX_RUNS}, the pooled value deciding at the budget), \`min_pass_rate: 0.85\`, margin 0.05, confidence 0.95. Seeded. The betting confidence sequence is valid whatever a run's spread, and that is why it cannot decide within ${MAX_RUNS} runs: a run at 1.0 is what an agent at 0.80 shows 80% of the time when a run is one trial. The gate's test takes a model of a run's spread; with runs of 10 attempts, its model and the one before it both fail good agents far more often than 5%.`,
      '',
      ...table,
    ].join('\n'),
  );
}

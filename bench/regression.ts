/**
 * Case-by-case regressions against main's history (contract section 14, issue 45): simulated
 * suites of 50 cases, each solid (passing 98% of the time) or flaky (60%), main's truth
 * unchanged, through the gate's own code: the point rule (`max_pass_rate_drop: 0.05` against
 * main's last verdict, the drop `applyBaseline` judges), the exact sign test and the history test
 * (`judgeRegression`, on main's last 10 verdicts as records keep them). A regression: 5 solid
 * cases break (0.98 → 0.38). Seeded: the same table every run.
 */
import { judgeRegression } from '../src/core/cases/judge.js';
import { signTest } from '../src/core/cases/regression.js';
import { recordCases } from '../src/core/cases/record.js';
import { summarizeCases, type CaseOutcome } from '../src/core/cases/types.js';

/** mulberry32: a small seeded generator, so that the table is the same every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CASES = 50;
const FLAKY = [0, 10, 20];
const HISTORY = 10;
const BROKEN = 5;

/** One verdict of the suite: each case passing at its rate, as outcomes the gate reads. */
function verdictOf(rates: readonly number[], random: () => number): CaseOutcome[] {
  return rates.map((rate, i) => {
    const passed = random() < rate;
    const id = `${i.toString(16).padStart(12, 'a')}0000`;
    return { id, name: `case ${i}`, passed: passed ? 1 : 0, failed: passed ? 0 : 1, errored: 0 };
  });
}

const passRate = (outcomes: readonly CaseOutcome[]) =>
  outcomes.filter((o) => o.failed === 0).length / outcomes.length;

/** What each rule calls a regression, over `trials` simulated pull requests. */
function simulate(flaky: number, broken: number, trials: number, seed: number) {
  const random = mulberry32(seed);
  const main = Array.from({ length: CASES }, (_, i) => (i < flaky ? 0.6 : 0.98));
  const change = main.map((rate, i) => (i >= flaky && i < flaky + broken ? 0.38 : rate));
  const called = { point: 0, sign: 0, history: 0 };
  for (let trial = 0; trial < trials; trial++) {
    const records = Array.from({ length: HISTORY }, (_, i) => ({
      headSha: String(i).repeat(40),
      cases: recordCases(summarizeCases(verdictOf(main, random))).cases,
    }));
    const now = summarizeCases(verdictOf(change, random));
    const last = records[0]!;
    const fall = Number(
      (passRate(lastOutcomes(last.cases, now.cases)) - passRate(now.cases)).toFixed(6),
    );
    if (fall > 0.05) called.point++;
    const sign = judgeRegression(now, last, [last], 0.05);
    if (sign?.regressed) called.sign++;
    if (judgeRegression(now, last, records, 0.05)?.regressed) called.history++;
  }
  return called;
}

/** Main's last verdict's outcomes, read back from its record (the ids of `now`'s cases). */
function lastOutcomes(recorded: string, now: readonly CaseOutcome[]): CaseOutcome[] {
  const failing = new Set(
    recorded
      .match(/.{13}/g)
      ?.filter((pair) => pair.endsWith('f'))
      .map((pair) => pair.slice(0, 12)),
  );
  return now.map((o) => ({
    ...o,
    passed: failing.has(o.id.slice(0, 12)) ? 0 : 1,
    failed: failing.has(o.id.slice(0, 12)) ? 1 : 0,
  }));
}

/** The section and its rows: false regressions and caught regressions per rule, at 0 / 10 / 20 flaky cases. */
export function caseRegression(quick: boolean): {
  rows: { measure: string; value: string; target?: string; met?: boolean }[];
  section: string;
} {
  const trials = quick ? 20 : 4000;
  const pct = (n: number) => `${((100 * n) / trials).toFixed(1)}%`;
  const table = [
    '| flaky cases of 50 | point rule 0.05: false / caught | sign test: false / caught | history test (the gate): false / caught |',
    '| --- | --- | --- | --- |',
  ];
  const rows: { measure: string; value: string; target?: string; met?: boolean }[] = [];
  // Sanity: the sign test's known value, so that the table is read through a test that is right.
  if (Math.abs(signTest(6, 0) - 1 / 64) > 1e-12) throw new Error('sign test is off');
  for (const flaky of FLAKY) {
    const none = simulate(flaky, 0, trials, 1 + flaky);
    const broke = simulate(flaky, BROKEN, trials, 1001 + flaky);
    table.push(
      `| ${flaky} | ${pct(none.point)} / ${pct(broke.point)} | ${pct(none.sign)} / ${pct(broke.sign)} | ${pct(none.history)} / ${pct(broke.history)} |`,
    );
    const falseOk = none.history / trials <= 0.05;
    const caughtOk = flaky === 20 || broke.history / trials >= 0.55;
    rows.push({
      measure: `case regressions, ${flaky} flaky of 50: history test false / caught (point rule; sign test)`,
      value: `${pct(none.history)} / ${pct(broke.history)} (${pct(none.point)} / ${pct(broke.point)}; ${pct(none.sign)} / ${pct(broke.sign)})`,
      ...(quick
        ? {}
        : {
            target: flaky === 20 ? 'false ≤ 5%' : 'false ≤ 5%, caught ≥ 55%',
            met: falseOk && caughtOk,
          }),
    });
  }
  const section = [
    "## Case-by-case regressions against main's history",
    '',
    `${trials} simulated pull requests per cell, through the gate's own code (\`judgeRegression\` on records as the gate keeps them; the point rule as \`applyBaseline\` judges a drop): a suite of 50 cases, each solid (passing 98% of the time) or flaky (60%), main's last ${HISTORY} verdicts as its history, \`regression_alpha: 0.05\`. "False": main's truth unchanged. "Caught": ${BROKEN} solid cases break (0.98 → 0.38). Seeded (mulberry32). The issue's bar, for the history test: 4.3 / 3.4 / 1.7% false and 70 / 58 / 34% caught at 0 / 10 / 20 flaky cases.`,
    '',
    ...table,
  ].join('\n');
  return { rows, section };
}

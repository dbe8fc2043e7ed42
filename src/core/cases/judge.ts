import { readRecordedCases, recordedId } from './record.js';
import { historyTest, signTest } from './regression.js';
import type {
  CaseOutcome,
  CaseRegression,
  CaseState,
  CaseSummary,
  RegressedCase,
} from './types.js';

/** A record as the test reads it: whose it is, and the case states it keeps. */
interface RecordWithCases {
  headSha: string;
  cases?: string;
}

/** Comparable verdicts with cases the history test needs; with fewer, the sign test against the base verdict. */
export const MIN_HISTORY_FOR_TEST = 3;
/** Cases the test names in the verdict and its record at most. */
export const REGRESSED_CASES_KEPT = 20;

const failed = (state: CaseState | undefined) => state === 'f' || state === 'm';

/**
 * Judges the cases failing now against the base branch (contract section 14): with at least
 * {@link MIN_HISTORY_FOR_TEST} comparable verdicts that kept their cases (`history`, newest
 * first), the history test on each case's record there; else, with the base verdict's cases, the
 * exact sign test on the pairs. Cases that errored now, or on every verdict read, are left out
 * and counted; so are cases main never evaluated (no record to judge them by). Undefined when
 * there is nothing to judge against.
 */
export function judgeRegression(
  cases: CaseSummary,
  base: RecordWithCases | undefined,
  history: readonly RecordWithCases[],
  alpha: number,
): CaseRegression | undefined {
  const along = history
    .filter((record) => record.cases !== undefined)
    .map((r) => readRecordedCases(r.cases));
  if (along.length >= MIN_HISTORY_FOR_TEST) return byHistory(cases.cases, along, alpha);
  if (base?.cases !== undefined) return bySign(cases.cases, readRecordedCases(base.cases), alpha);
  return undefined;
}

/** A case's state now: errored when it has no evaluated sample. */
const evaluatedNow = (outcome: CaseOutcome) => outcome.passed + outcome.failed > 0;

function byHistory(
  outcomes: readonly CaseOutcome[],
  along: readonly Map<string, CaseState>[],
  alpha: number,
): CaseRegression {
  const leftOut = { errored: 0, unseen: 0 };
  const judged: (RegressedCase & { failingNow: boolean })[] = [];
  for (const outcome of outcomes) {
    if (!evaluatedNow(outcome)) {
      leftOut.errored++;
      continue;
    }
    const states = along
      .map((s) => s.get(recordedId(outcome)))
      .filter((s) => s !== undefined && s !== 'e');
    if (states.length === 0) {
      leftOut.unseen++;
      continue;
    }
    judged.push({
      id: outcome.id,
      name: outcome.name,
      failedIn: states.filter(failed).length,
      of: states.length,
      failingNow: outcome.failed > 0,
    });
  }
  const test = historyTest(judged);
  const failing = judged
    .map((c, i) => ({ c, rate: test.rates[i] as number }))
    .filter(({ c }) => c.failingNow)
    .sort((x, y) => x.rate - y.rate);
  const neverFailed = failing.filter(({ c }) => c.failedIn === 0).length;
  const failedBefore = failing.length - neverFailed;
  const regressed = test.p < alpha;
  const verdicts = Math.max(0, ...judged.map((c) => c.of));
  const what =
    failing.length === 0
      ? 'no case failing'
      : neverFailed > 0
        ? `${count(neverFailed)} failing that main never failed in its last ${verdicts} verdicts${failedBefore > 0 ? `, ${failedBefore} more it had failed before` : ''}`
        : `${count(failedBefore)} failing, each of which main had failed before in its last ${verdicts} verdicts`;
  return {
    method: 'history',
    p: test.p,
    alpha,
    regressed,
    verdicts,
    neverFailed,
    failedBefore,
    leftOut,
    cases: failing.slice(0, REGRESSED_CASES_KEPT).map(({ c }) => ({
      id: c.id,
      name: c.name,
      failedIn: c.failedIn,
      of: c.of,
    })),
    said: `${what} (p = ${formatP(test.p)}${regressed ? '' : `, within main's own record at \`regression_alpha\` ${alpha}`})${leftOutSaid(leftOut)}`,
  };
}

function bySign(
  outcomes: readonly CaseOutcome[],
  base: Map<string, CaseState>,
  alpha: number,
): CaseRegression {
  const leftOut = { errored: 0, unseen: 0 };
  const newlyFailing: RegressedCase[] = [];
  let newlyPassing = 0;
  for (const outcome of outcomes) {
    const there = base.get(recordedId(outcome));
    if (!evaluatedNow(outcome) || there === 'e') {
      leftOut.errored++;
      continue;
    }
    if (there === undefined) {
      leftOut.unseen++;
      continue;
    }
    const failingNow = outcome.failed > 0;
    if (failingNow && !failed(there))
      newlyFailing.push({ id: outcome.id, name: outcome.name, failedIn: 0, of: 1, base: there });
    if (!failingNow && failed(there)) newlyPassing++;
  }
  const p = signTest(newlyFailing.length, newlyPassing);
  const regressed = p < alpha;
  return {
    method: 'sign',
    p,
    alpha,
    regressed,
    verdicts: 1,
    neverFailed: newlyFailing.length,
    failedBefore: outcomes.filter((o) => o.failed > 0).length - newlyFailing.length,
    newlyFailing: newlyFailing.length,
    newlyPassing,
    leftOut,
    cases: newlyFailing.slice(0, REGRESSED_CASES_KEPT),
    said: `${count(newlyFailing.length)} newly failing, ${newlyPassing} newly passing against main's last verdict (sign test, the weaker test: p = ${formatP(p)}${regressed ? '' : `, within \`regression_alpha\` ${alpha}`})${leftOutSaid(leftOut)}`,
  };
}

const count = (n: number) => `${n} case${n === 1 ? '' : 's'}`;

/** `; 2 errored cases left out`, where any were. */
function leftOutSaid({ errored, unseen }: CaseRegression['leftOut']): string {
  const parts = [
    ...(errored > 0 ? [`${count(errored)} that errored`] : []),
    ...(unseen > 0 ? [`${count(unseen)} main never evaluated`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join(' and ')} left out` : '';
}

/** p as a reviewer reads it: two significant digits, and "< 0.0001" below. */
export function formatP(p: number): string {
  if (p < 0.0001) return '< 0.0001';
  return p >= 0.01 ? p.toFixed(p >= 0.1 ? 2 : 3) : p.toPrecision(2).replace(/0+$/, '');
}

import type { BaselineRecord } from './record.js';
import { judgeRegression } from '../cases/judge.js';
import { truncate } from '../support/text.js';
import { MAX_REASON_CHARS, type ThresholdResult, type Verdict, worst } from '../verdict/verdict.js';

/** The threshold row's figure: the test's p. */
export const REGRESSION_FIGURE = 'regression_p';

/**
 * The verdict with the case-by-case regression test against the base branch (contract section
 * 14, `regression_alpha`): judged where the verdict evaluated cases and a comparable base kept
 * theirs, kept in `cases.regression`, and added as a threshold row that holds when p ≥ the
 * level. A regression fails the gate like a broken threshold, and the reason says which cases
 * and p. `base` is the base verdict the drops compared with (the sign test's pairs); `history`
 * the comparable verdicts along the base branch, newest first.
 */
export function applyCaseRegression(
  verdict: Verdict,
  base: BaselineRecord | undefined,
  history: readonly BaselineRecord[],
  alpha: number | undefined,
): Verdict {
  if (alpha === undefined || verdict.outcome !== 'evaluated' || !verdict.cases) return verdict;
  // With the median as baseline there is no one base verdict: the newest along the branch that kept its cases stands in.
  const pairedWith = base?.cases !== undefined ? base : history.find((r) => r.cases !== undefined);
  const regression = judgeRegression(verdict.cases, pairedWith, history, alpha);
  if (!regression) return verdict;
  const threshold: ThresholdResult = {
    input: 'regression_alpha',
    figure: REGRESSION_FIGURE,
    comparator: '>=',
    limit: alpha,
    breaks: 'fail',
    label:
      regression.method === 'history'
        ? "Failing cases against main's record (p)"
        : "Failing cases against main's last verdict (sign test p)",
    actual: regression.p,
    holds: !regression.regressed,
    decidedBy: { rule: 'cases', said: truncate(regression.said, 1000) },
  };
  const reason = regression.regressed
    ? truncate(
        `${verdict.reason.replace(/\.$/, '')}; a regression, case by case: ${regression.said}.`,
        MAX_REASON_CHARS,
      )
    : verdict.reason;
  return {
    ...verdict,
    decision: regression.regressed ? worst(verdict.decision, 'fail') : verdict.decision,
    reason,
    thresholds: [...verdict.thresholds, threshold],
    cases: { ...verdict.cases, regression },
  };
}

import { excerpt } from '../support/text.js';

/**
 * What one case of a suite did in one evaluation: a test of a suite run by its prompt and its
 * provider, a record of a dataset. A case may be sampled several times (a suite run with repeats),
 * so it counts its samples: passed, failed, and errored (not evaluated). Owned by the cases
 * feature; a backend whose evaluation names its cases hands them over, and a verdict carries them.
 */
export interface CaseOutcome {
  /** Stable across evaluations of the same suite (a hash of what the case is), for comparing with the base branch. */
  id: string;
  /** How a reviewer reads it: the test's description, else what it is made of. Outside text, bounded. */
  name: string;
  passed: number;
  failed: number;
  /** Samples the backend did not evaluate (a provider or grader that did not finish). */
  errored: number;
  /** Why its first failing sample failed (first line, bounded), or its first error's. Outside text. */
  reason?: string;
}

/** How a case did in one verdict: passed every sample, failed every one, both, or errored only. */
export type CaseState = 'p' | 'f' | 'm' | 'e';

/** A failing case beside the base branch: how it did on the base commit, and in how many comparable verdicts it failed. */
export interface CaseBeside {
  /** Its state on the base commit's verdict; absent when that verdict did not have it (a new case, or none kept). */
  base?: CaseState;
  /** Verdicts along the base branch that evaluated it (errored ones left out), and how many of them it failed in. */
  of: number;
  failedIn: number;
}

/** The cases of a verdict beside the base branch: the base commit compared with, and each kept failing case. */
export interface CasesBeside {
  /** The base commit's verdict the states come from, when there was one with cases. */
  baseSha?: string;
  /** Comparable verdicts along the base branch that kept their cases. */
  history: number;
  /** Each failing case kept, by its id. */
  cases: Record<string, CaseBeside>;
}

/** A failing case the regression test named: its id and name, and its record on main (failed in `failedIn` of `of`). */
export interface RegressedCase {
  id: string;
  name: string;
  failedIn: number;
  of: number;
  /** With one base verdict (the sign test): its state there. */
  base?: CaseState;
}

/**
 * The case-by-case regression test against the base branch (contract section 14): with main's
 * history the history test, with one base verdict the weaker sign test; its p, its level, and
 * the cases it named (the failing ones, the most surprising first, bounded).
 */
export interface CaseRegression {
  method: 'history' | 'sign';
  p: number;
  alpha: number;
  regressed: boolean;
  /** Comparable verdicts on main read (1 for the sign test). */
  verdicts: number;
  /** Failing cases now, judged: those main never failed, and those it had failed before. */
  neverFailed: number;
  failedBefore: number;
  /** The sign test's discordant pairs. */
  newlyFailing?: number;
  newlyPassing?: number;
  /** Cases left out: errored now or on every base verdict, or never evaluated on main. */
  leftOut: { errored: number; unseen: number };
  cases: RegressedCase[];
  /** The sentence for the reason. */
  said: string;
}

/** The cases of an evaluation: failing ones first, errored ones apart, bounded for reports and records. */
export interface CaseSummary {
  /** Every case's count, however many are listed. */
  total: number;
  /** Cases with at least one failed sample. */
  failing: number;
  /** Cases with at least one errored sample. */
  errored: number;
  /** The cases kept: every failing or errored case first, then the passing ones, up to {@link MAX_CASES_KEPT}. */
  cases: CaseOutcome[];
  /** How many cases were left out of `cases` to keep the verdict bounded. */
  omitted: number;
  /** Once compared with the base branch: each failing case on the base commit and along the branch. */
  beside?: CasesBeside;
  /** Once compared with the base branch, with `regression_alpha` on: the case-by-case regression test. */
  regression?: CaseRegression;
}

/** Cases a verdict keeps; a suite of 20,000 rows must not make a verdict of 20,000 rows. */
export const MAX_CASES_KEPT = 2000;
/** How much of a case's name or reason is kept. */
export const CASE_TEXT_MAX_CHARS = 300;

/** A case's state, worst first: a case that failed once is failing, whatever else it did. */
export const caseState = (outcome: CaseOutcome): 'failing' | 'errored' | 'passing' =>
  outcome.failed > 0 ? 'failing' : outcome.errored > 0 ? 'errored' : 'passing';

/** The first line of outside text, bounded: a stack trace or a long grader answer is not a reason. */
export function firstLine(text: string | null | undefined): string | undefined {
  const line = (text ?? '').split(/\r?\n/).find((part) => part.trim() !== '');
  return line === undefined ? undefined : excerpt(line.trim(), CASE_TEXT_MAX_CHARS);
}

/** Summarizes the cases: counts over all, the failing and errored ones kept first, then passing ones. */
export function summarizeCases(outcomes: readonly CaseOutcome[]): CaseSummary {
  const rank = { failing: 0, errored: 1, passing: 2 } as const;
  const ordered = [...outcomes].sort(
    (a, b) =>
      rank[caseState(a)] - rank[caseState(b)] ||
      b.failed - a.failed ||
      a.name.localeCompare(b.name),
  );
  const kept = ordered.slice(0, MAX_CASES_KEPT);
  return {
    total: outcomes.length,
    failing: outcomes.filter((o) => o.failed > 0).length,
    errored: outcomes.filter((o) => o.errored > 0).length,
    cases: kept,
    omitted: outcomes.length - kept.length,
  };
}

declare module '../verdict/verdict.js' {
  interface EvaluationSections {
    /** Each case's outcome, where the backend's evaluation names its cases (a suite's tests). */
    cases?: CaseSummary;
  }
  interface VerdictSections {
    /** Each case's outcome, failing first, where the backend names its cases. */
    cases?: CaseSummary;
  }
}

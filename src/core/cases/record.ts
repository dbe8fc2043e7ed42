import { z } from 'zod';
import type { CaseOutcome, CaseRegression, CaseState, CaseSummary } from './types.js';

/*
 * Each case's outcome as a verdict's record keeps it (contract section 12: "the record keeps
 * each case's outcome, bounded"): one string of `<id><state>` pairs, failing cases first, so that
 * a record of 1,500 cases stays about 26 KB of a check's 65,535 characters.
 */

/** Hex digits of a case's id a record keeps: 48 bits, no collision to fear in any suite. */
export const RECORD_CASE_ID_CHARS = 12;
/** Cases one record keeps at most. */
export const RECORD_CASES_MAX = 1500;

/** Characters one case takes in a record: its id and its state. */
export const RECORD_CASE_CHARS = RECORD_CASE_ID_CHARS + 1;

/** The record's field: validated as it is read back, so a forged one cannot hold anything else. */
export const RecordedCases = z
  .string()
  .max(RECORD_CASES_MAX * RECORD_CASE_CHARS)
  .regex(new RegExp(`^(?:[0-9a-f]{${RECORD_CASE_ID_CHARS}}[pfme])*$`), {
    message: 'is not a list of case states',
  });

/** A case's state in one verdict. */
export function stateOf(outcome: CaseOutcome): CaseState {
  if (outcome.failed > 0) return outcome.passed > 0 ? 'm' : 'f';
  return outcome.passed > 0 ? 'p' : 'e';
}

/** The id a record keys a case by. */
export const recordedId = (outcome: Pick<CaseOutcome, 'id'>): string =>
  outcome.id.slice(0, RECORD_CASE_ID_CHARS);

/** The cases of a verdict as its record keeps them, and how many it left out. */
export function recordCases(summary: CaseSummary): { cases: string; omitted: number } {
  const kept = summary.cases.slice(0, RECORD_CASES_MAX);
  return {
    cases: kept.map((outcome) => `${recordedId(outcome)}${stateOf(outcome)}`).join(''),
    omitted: summary.total - kept.length,
  };
}

/** A record's cases, by id. */
export function readRecordedCases(text: string | undefined): Map<string, CaseState> {
  const states = new Map<string, CaseState>();
  for (let at = 0; text && at + RECORD_CASE_CHARS <= text.length; at += RECORD_CASE_CHARS)
    states.set(
      text.slice(at, at + RECORD_CASE_ID_CHARS),
      text[at + RECORD_CASE_ID_CHARS] as CaseState,
    );
  return states;
}

/** The regression test as a record keeps it: its method, p and level, and the ids of the cases it named (at most 20). */
export const RecordedRegression = z.object({
  method: z.enum(['history', 'sign']),
  p: z.number().min(0).max(1),
  alpha: z.number().gt(0).max(0.5),
  regressed: z.boolean(),
  cases: z
    .string()
    .max(20 * RECORD_CASE_ID_CHARS)
    .regex(new RegExp(`^(?:[0-9a-f]{${RECORD_CASE_ID_CHARS}})*$`), {
      message: 'is not a list of case ids',
    }),
});
export type RecordedRegression = z.output<typeof RecordedRegression>;

/** The regression test of a verdict, for its record. */
export function recordRegression(regression: CaseRegression): RecordedRegression {
  return {
    method: regression.method,
    p: Number(regression.p.toPrecision(6)),
    alpha: regression.alpha,
    regressed: regression.regressed,
    cases: regression.cases
      .slice(0, 20)
      .map((c) => recordedId(c))
      .join(''),
  };
}

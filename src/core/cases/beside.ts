import { readRecordedCases, recordedId } from './record.js';
import type { CasesBeside, CaseSummary } from './types.js';

/** A record as the cases feature reads it: whose it is, and the case states it keeps. */
interface RecordWithCases {
  headSha: string;
  cases?: string;
}

/**
 * Puts each failing case beside the base branch: its state on the base commit's verdict, and in
 * how many of the comparable verdicts along the branch it failed ("new" when in none). Verdicts
 * that kept no cases (older records, other backends) say nothing and are not counted.
 */
export function casesBeside(
  cases: CaseSummary,
  base: RecordWithCases | undefined,
  history: readonly RecordWithCases[],
): CaseSummary {
  const baseStates = base?.cases === undefined ? undefined : readRecordedCases(base.cases);
  const along = history.filter((record) => record.cases !== undefined);
  const states = along.map((record) => readRecordedCases(record.cases));
  if (!baseStates && states.length === 0) return cases;
  const beside: CasesBeside = {
    ...(baseStates && base ? { baseSha: base.headSha } : {}),
    history: states.length,
    cases: {},
  };
  for (const outcome of cases.cases.filter((c) => c.failed > 0)) {
    const id = recordedId(outcome);
    const there = states.map((s) => s.get(id)).filter((s) => s !== undefined && s !== 'e');
    const baseState = baseStates?.get(id);
    beside.cases[outcome.id] = {
      ...(baseState ? { base: baseState } : {}),
      of: there.length,
      failedIn: there.filter((s) => s === 'f' || s === 'm').length,
    };
  }
  return { ...cases, beside };
}

/** Whether two sets of recorded cases share none: a verdict of another suite. */
export function noCaseInCommon(here: CaseSummary, record: RecordWithCases): boolean {
  if (record.cases === undefined || record.cases === '' || here.cases.length === 0) return false;
  const there = readRecordedCases(record.cases);
  return !here.cases.some((outcome) => there.has(recordedId(outcome)));
}

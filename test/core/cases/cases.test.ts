import { describe, expect, it } from 'vitest';
import { casesBeside, noCaseInCommon } from '../../../src/core/cases/beside.js';
import {
  readRecordedCases,
  RECORD_CASES_MAX,
  recordCases,
  stateOf,
} from '../../../src/core/cases/record.js';
import { type CaseOutcome, summarizeCases } from '../../../src/core/cases/types.js';
import { boundedRecord, decodeRecord } from '../../../src/core/baseline/encode.js';
import type { Verdict } from '../../../src/core/verdict/verdict.js';

const outcome = (i: number, passed: number, failed: number, errored = 0): CaseOutcome => ({
  id: i.toString(16).padStart(12, '0').padEnd(16, 'f'),
  name: `case ${i}`,
  passed,
  failed,
  errored,
});

describe('case states in a record', () => {
  it('reads back what it wrote: passed, failed, both, errored', () => {
    const summary = summarizeCases([
      outcome(1, 1, 0),
      outcome(2, 0, 2),
      outcome(3, 2, 1),
      outcome(4, 0, 0, 1),
    ]);
    const { cases, omitted } = recordCases(summary);
    expect(omitted).toBe(0);
    const states = readRecordedCases(cases);
    expect([...states.values()].sort()).toEqual(['e', 'f', 'm', 'p']);
    expect(stateOf(outcome(3, 2, 1))).toBe('m');
  });

  it(`keeps at most ${RECORD_CASES_MAX}, failing first`, () => {
    const many = Array.from({ length: RECORD_CASES_MAX + 10 }, (_, i) =>
      outcome(i, i < 5 ? 0 : 1, i < 5 ? 1 : 0),
    );
    const { cases, omitted } = recordCases(summarizeCases(many));
    expect(omitted).toBe(10);
    expect([...readRecordedCases(cases).values()].slice(0, 5)).toEqual(['f', 'f', 'f', 'f', 'f']);
  });
});

describe('failing cases beside the base branch', () => {
  const base = {
    headSha: 'a'.repeat(40),
    cases: recordCases(summarizeCases([outcome(1, 1, 0), outcome(2, 0, 1)])).cases,
  };
  const older = {
    headSha: 'b'.repeat(40),
    cases: recordCases(summarizeCases([outcome(1, 0, 1), outcome(2, 0, 1)])).cases,
  };

  it('says the base state and how often it failed along the branch', () => {
    const now = summarizeCases([outcome(1, 0, 1), outcome(2, 0, 1), outcome(9, 0, 1)]);
    const beside = casesBeside(now, base, [base, older]).beside;
    expect(beside?.cases[outcome(1, 0, 1).id]).toEqual({ base: 'p', of: 2, failedIn: 1 });
    expect(beside?.cases[outcome(2, 0, 1).id]).toEqual({ base: 'f', of: 2, failedIn: 2 });
    // A case the base did not have: no base state, never seen along the branch.
    expect(beside?.cases[outcome(9, 0, 1).id]).toEqual({ of: 0, failedIn: 0 });
  });

  it('a verdict with no case in common is of another suite', () => {
    expect(noCaseInCommon(summarizeCases([outcome(7, 1, 0)]), base)).toBe(true);
    expect(noCaseInCommon(summarizeCases([outcome(1, 1, 0)]), base)).toBe(false);
    // A record that kept no cases says nothing.
    expect(noCaseInCommon(summarizeCases([outcome(7, 1, 0)]), { headSha: base.headSha })).toBe(
      false,
    );
  });
});

describe("a record too large for a check's text", () => {
  it('lets the case states go first, says so, and still reads back', () => {
    const cases = summarizeCases(Array.from({ length: 1500 }, (_, i) => outcome(i, 1, 0)));
    const verdict: Verdict = {
      decision: 'pass',
      reason: '',
      outcome: 'evaluated',
      backend: 'promptfoo',
      ids: {},
      figures: { pass_rate: 1 },
      thresholds: [],
      topFailingTools: [],
      cases,
      durationMs: 1,
    };
    const whole = boundedRecord(verdict, 'promptfoo Gate', 'c'.repeat(40));
    expect(whole.said).toBeUndefined();
    const bounded = boundedRecord(verdict, 'promptfoo Gate', 'c'.repeat(40), new Date(), 10_000);
    expect(bounded.said).toContain('no case states');
    const record = decodeRecord(bounded.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.cases).toBeUndefined();
    expect(record.omitted?.cases).toBe(1500);
  });
});

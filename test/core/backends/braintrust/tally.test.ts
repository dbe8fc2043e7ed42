import { describe, expect, it } from 'vitest';
import {
  caseIdOf,
  headlineScore,
  scoreNames,
  tallyRows,
} from '../../../../src/core/backends/braintrust/tally.js';
import type { ExperimentEvent } from '../../../../src/core/backends/braintrust/schemas.js';

let n = 0;
const row = (extra: Partial<ExperimentEvent>): ExperimentEvent => ({
  id: `r${++n}`,
  _xact_id: '1',
  experiment_id: 'e',
  span_id: `r${n}`,
  root_span_id: `r${n}`,
  is_root: true,
  ...extra,
});
const dataset = (id: string) => ({ object_type: 'dataset' as const, object_id: 'd', id });

describe('case ids', () => {
  it('are the dataset record where the row came from one, else the input, key order aside', () => {
    expect(caseIdOf(row({ input: 'a', origin: dataset('rec-1') }))).toBe(
      caseIdOf(row({ input: 'b', origin: dataset('rec-1') })),
    );
    expect(caseIdOf(row({ input: { a: 1, b: [2] } }))).toBe(
      caseIdOf(row({ input: { b: [2], a: 1 } })),
    );
    expect(caseIdOf(row({ input: { a: 1 } }))).not.toBe(caseIdOf(row({ input: { a: 2 } })));
    // A row copied from another experiment is keyed by its input, not by that experiment's row.
    const copied = { object_type: 'experiment' as const, object_id: 'x', id: 'rec-1' };
    expect(caseIdOf(row({ input: 'a', origin: copied }))).toBe(caseIdOf(row({ input: 'a' })));
  });
});

describe('the headline score', () => {
  it('is the only one, the one named, or a sentence that lists them', () => {
    expect(headlineScore(['Factuality'], undefined)).toEqual({ name: 'Factuality' });
    expect(headlineScore(['A', 'B'], 'B')).toEqual({ name: 'B' });
    // Scores the rows carry, and `score_name` naming none of them: the user's setup to fix.
    expect(headlineScore(['A', 'B'], undefined, 'experiment "e"')).toEqual({
      misnamed:
        'Input `score_name` is required: the rows carry 2 scores ("A", "B") in experiment "e"; set `score_name` to the one that judges a row',
    });
    expect(headlineScore(['A'], 'C', 'experiment "e"')).toEqual({
      misnamed:
        'Input `score_name` "C" is no score the rows of experiment "e" carry; they carry "A": set `score_name` to one of them',
    });
    // No score at all: an evaluation that scored nothing, like every row unscored.
    expect(headlineScore([], 'C')).toEqual({
      unusable: expect.stringContaining('no row carries any score') as string,
    });
    expect(headlineScore([], undefined)).toEqual({
      unusable: expect.stringContaining('no row carries any score') as string,
    });
    expect(scoreNames([row({ scores: { B: 1 } }), row({ scores: { A: null } }), row({})])).toEqual([
      'A',
      'B',
    ]);
  });
});

describe('tallying rows', () => {
  it('errors and null scores apart, never zeros; trials of one record one case; tokens summed', () => {
    const tally = tallyRows(
      [
        row({ input: 'q1', origin: dataset('1'), scores: { F: 1 }, metrics: { tokens: 10 } }),
        row({ input: 'q1', origin: dataset('1'), scores: { F: 0.5 }, metrics: { tokens: 10 } }),
        row({ input: 'q2', scores: { F: null } }),
        row({ input: 'q3', scores: { F: 1 }, error: { message: 'timeout\nstack' } }),
        row({ input: 'q4', scores: { G: 1 } }),
      ],
      'F',
      1,
    );
    expect(tally).toMatchObject({
      rows: 5,
      passed: 1,
      failed: 1,
      errored: 3,
      scores: [1, 0.5],
      tokens: 20,
    });
    expect(tally.cases).toHaveLength(4);
    expect(tally.cases[0]).toMatchObject({
      name: 'q1',
      passed: 1,
      failed: 1,
      reason: 'F 0.5, under `pass_score` 1',
    });
    expect(tally.errors.map((e) => e.message)).toEqual([
      'not scored: F is null',
      'timeout',
      'not scored: F is missing',
    ]);
  });
});

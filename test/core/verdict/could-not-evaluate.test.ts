import { describe, expect, it } from 'vitest';
import { failureKind } from '../../../src/core/verdict/could-not-evaluate.js';
import type { ShardRow } from '../../../src/core/aggregate/types.js';
import type { RunError } from '../../../src/core/retry/types.js';
import type { ThresholdResult, Verdict } from '../../../src/core/verdict/verdict.js';
import { sampleVerdict } from '../../support/verdict.js';

const regression = sampleVerdict();
const error = (kind: RunError['kind']): RunError => ({
  run: 'run',
  attempt: 2,
  message: 'the run failed',
  kind,
  retried: false,
});
const attempts = (...errors: RunError[]) => ({ started: 2, retried: 1, retryErrors: 1, errors });
const outage = sampleVerdict({
  outcome: 'error',
  figures: {},
  reason: 'Sepurux could not evaluate the run.',
  attempts: attempts({ ...error('unevaluated'), attempt: 1, retried: true }, error('unevaluated')),
});
const broken: ThresholdResult = {
  input: 'min_pass_rate',
  figure: 'pass_rate',
  label: 'Pass rate',
  comparator: '>=',
  limit: 0.85,
  breaks: 'fail',
  actual: 0.5,
  holds: false,
};
const entry = (name: string, verdict: Verdict) => ({
  name,
  paths: [],
  ran: true,
  why: 'always',
  verdict,
});
const many = (...verdicts: Verdict[]) =>
  sampleVerdict({
    outcome: 'evaluated',
    gates: {
      config: 'gates.yml',
      selection: 'all',
      entries: verdicts.map((v, i) => entry(`g${i}`, v)),
    },
  });
const shard = (name: string, verdict: Verdict): ShardRow => ({
  shard: name,
  decision: verdict.decision,
  reason: verdict.reason,
  ...(verdict.decision === 'fail' ? { failure: failureKind(verdict) } : {}),
  backend: 'Sepurux',
  figures: {},
});

describe('failureKind: a regression or an outage', () => {
  it('one gate: no verdict is an outage; an evaluated fail, or a measured broken threshold beside errors, a regression', () => {
    expect(failureKind(outage)).toBe('could not evaluate');
    expect(failureKind(regression)).toBe('regression');
    // Repeats: one errored, the others evaluated and broke a threshold: the regression is not hidden.
    expect(failureKind({ ...outage, thresholds: [broken] })).toBe('regression');
    // A threshold with nothing measured is no evidence.
    expect(failureKind({ ...outage, thresholds: [{ ...broken, actual: undefined }] })).toBe(
      'could not evaluate',
    );
    // An answer the gate refused (a 401, a figure out of its domain) fails closed: never an outage a team may let pass.
    expect(failureKind({ ...outage, attempts: attempts(error('refused')) })).toBe('regression');
    expect(
      failureKind({ ...outage, attempts: attempts(error('unevaluated'), error('refused')) }),
    ).toBe('regression');
    expect(failureKind({ ...outage, attempts: undefined })).toBe('regression');
    expect(failureKind(sampleVerdict({ decision: 'pass' }))).toBeUndefined();
    expect(failureKind({ ...outage, outcome: 'cancelled' })).toBeUndefined();
  });

  it('many gates: any regression wins; else any outage', () => {
    const passing = sampleVerdict({ decision: 'pass' });
    expect(failureKind(many(passing, outage))).toBe('could not evaluate');
    expect(failureKind(many(outage, regression))).toBe('regression');
    expect(failureKind(many(regression, passing))).toBe('regression');
  });

  it('shards: any shard that failed evaluated wins; reports that fail closed are never an outage', () => {
    const pooled = (...rows: ShardRow[]) =>
      sampleVerdict({ outcome: 'error', figures: {}, shards: rows });
    const passing = sampleVerdict({ decision: 'pass' });
    expect(failureKind(pooled(shard('a', outage), shard('b', passing)))).toBe('could not evaluate');
    expect(failureKind(pooled(shard('a', outage), shard('b', regression)))).toBe('regression');
    // A missing or stale report: the rows say no kind of failure.
    expect(failureKind(pooled({ ...shard('a', outage), failure: undefined }))).toBe('regression');
  });
});

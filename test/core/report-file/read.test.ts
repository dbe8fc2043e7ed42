import { describe, expect, it } from 'vitest';
import { reportFromBytes } from '../../../src/core/report-file/read.js';
import { reportJson } from '../../../src/core/report-file/write.js';
import type { RepeatSummary } from '../../../src/core/repeats/types.js';
import type { ThresholdResult, Verdict } from '../../../src/core/verdict/verdict.js';

const SUBJECT = {
  checkName: 'Sepurux Reliability Gate',
  repository: 'o/r',
  headSha: 'a'.repeat(40),
};

/** A `repeats: auto` verdict of one repeat at `rate`, whose test made `call`, with `threshold` as the gate (or a hand) wrote it. */
function autoReport(
  rate: number,
  call: 'holds' | 'breaks' | 'undecided',
  threshold: Partial<ThresholdResult>,
  decision: Verdict['decision'],
): Buffer {
  const llr = { holds: 3.5, breaks: -3.05, undecided: 0.2 }[call];
  const repeats: RepeatSummary = {
    mode: 'auto',
    run: 1,
    passed: 1,
    rows: [
      {
        index: 1,
        decision: 'pass',
        outcome: 'evaluated',
        reason: 'Sepurux decided pass.',
        figures: { pass_rate: rate, trace_count: 1500 },
        failingTools: [],
      },
    ],
    intervals: {},
    stopped: 'the sequential test decided every threshold after 1 repeat',
    sequential: [
      { input: 'min_pass_rate', call, llr, lower: -2.9444, upper: 2.9444, on: 'counts' },
    ],
    detectable: [],
    flakyTools: [],
    steadyTools: [],
  };
  const verdict: Verdict = {
    decision,
    reason: 'r',
    outcome: 'evaluated',
    backend: 'Sepurux',
    backendDecision: 'pass',
    ids: {},
    figures: { pass_rate: rate, trace_count: 1500 },
    thresholds: [
      {
        input: 'min_pass_rate',
        figure: 'pass_rate',
        label: 'Pass rate',
        comparator: '>=',
        limit: 0.8,
        breaks: 'fail',
        actual: rate,
        holds: false,
        ...threshold,
      },
    ],
    topFailingTools: [],
    repeats,
    durationMs: 1,
  };
  return Buffer.from(reportJson(verdict, SUBJECT));
}

describe('reading a repeats: auto report back', () => {
  it('takes a threshold the sequential test broke beside a point value that meets it, as the gate wrote it', () => {
    const report = reportFromBytes(
      autoReport(
        0.8,
        'breaks',
        { holds: false, decidedBy: { rule: 'sequential', call: 'breaks' } },
        'fail',
      ),
      'r.json',
    );
    expect(typeof report === 'string' ? report : report.decision).toBe('fail');
  });

  it('catches a hand that makes it hold, or makes the call disagree with its test', () => {
    const forged = reportFromBytes(
      autoReport(
        0.8,
        'breaks',
        { holds: true, decidedBy: { rule: 'sequential', call: 'breaks' } },
        'pass',
      ),
      'r.json',
    );
    expect(forged).toContain(
      'threshold `min_pass_rate` says holds where its figures and sequential test make it break',
    );
    const call = reportFromBytes(
      autoReport(
        0.8,
        'breaks',
        { holds: true, decidedBy: { rule: 'sequential', call: 'holds' } },
        'pass',
      ),
      'r.json',
    );
    expect(call).toContain('says the sequential test called it holds, where the test says breaks');
    const llr = reportFromBytes(
      Buffer.from(
        autoReport(
          0.8,
          'breaks',
          { holds: false, decidedBy: { rule: 'sequential', call: 'breaks' } },
          'fail',
        )
          .toString()
          .replace('"llr": -3.05', '"llr": 1'),
      ),
      'r.json',
    );
    expect(llr).toContain(
      'the sequential test of threshold `min_pass_rate` says breaks on a log-likelihood ratio that says otherwise',
    );
  });

  it('never lets a sequential "holds" carry a point value that misses the threshold', () => {
    const report = reportFromBytes(
      autoReport(
        0.7,
        'holds',
        { holds: true, decidedBy: { rule: 'sequential', call: 'holds' } },
        'pass',
      ),
      'r.json',
    );
    expect(report).toContain('contradicts itself');
  });

  it('reads a report of an older release (no decidedBy) by the rule it was decided by then: a decided call alone', () => {
    const old = reportFromBytes(autoReport(0.8, 'breaks', { holds: false }, 'fail'), 'r.json');
    expect(typeof old === 'string' ? old : old.decision).toBe('fail');
    const undecided = reportFromBytes(
      autoReport(0.8, 'undecided', { holds: true }, 'pass'),
      'r.json',
    );
    expect(typeof undecided === 'string' ? undecided : undecided.decision).toBe('pass');
    const forged = reportFromBytes(
      autoReport(0.8, 'undecided', { holds: false }, 'pass'),
      'r.json',
    );
    expect(forged).toContain('contradicts itself');
  });
});

describe('a report of many gates (config)', () => {
  const entryVerdict: Verdict = {
    decision: 'fail',
    reason: 'Sepurux decided fail.',
    outcome: 'evaluated',
    backend: 'Sepurux',
    backendDecision: 'fail',
    ids: {},
    figures: { pass_rate: 0.5 },
    thresholds: [],
    topFailingTools: [],
    durationMs: 1,
  };
  const many = (over: Partial<Verdict> = {}): Verdict => ({
    decision: 'fail',
    reason: '1 of the 1 gate that ran failed.',
    outcome: 'evaluated',
    backend: 'Reliability gates',
    ids: {},
    figures: {},
    thresholds: [],
    topFailingTools: [],
    durationMs: 1,
    gates: {
      config: 'g.yml',
      selection: 'All ran.',
      entries: [{ name: 'a', paths: [], ran: true, why: 'x', verdict: entryVerdict }],
    },
    ...over,
  });
  const read = (verdict: Verdict) =>
    reportFromBytes(
      Buffer.from(reportJson(verdict, { checkName: 'G', repository: 'o/r' })),
      'r.json',
    );

  it('is read back whole, and its decision must be the worst of its entries', () => {
    expect(read(many())).toMatchObject({ decision: 'fail', gates: { entries: [{ name: 'a' }] } });
    expect(read(many({ decision: 'pass' }))).toContain(
      'its decision is pass where its gates make fail',
    );
  });

  it('refuses figures, thresholds or a backend decision of its own, which would judge nothing checked', () => {
    expect(read(many({ decision: 'pass', backendDecision: 'pass' }))).toContain(
      'holds figures, thresholds or a backend decision of its own',
    );
    expect(read(many({ figures: { pass_rate: 0.9 } }))).toContain('of its own');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  type FakeOutcome,
  FakeSepurux,
} from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Answers that must not pass: the bundled action against a Sepurux that lies.
let fake = new FakeSepurux();
let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
});
afterAll(() => server.close());

const PASSING: FakeOutcome = {
  decision: 'pass',
  pass_rate: 0.92,
  unsafe_attempts: 0,
  failures: 0,
  reliability_score: 91,
};

/** Gates one trace (or, with `batch`, the eval-set) on a campaign whose finished answer is `outcome`. */
async function gateOn(outcome: FakeOutcome, options: { batch?: boolean } = {}) {
  const evalSet = options.batch ? [randomUUID(), randomUUID(), randomUUID()] : undefined;
  fake = new FakeSepurux({ campaigns: [{ id: randomUUID(), name: 'lying', evalSet, outcome }] });
  const run = await runAction({
    inputs: {
      base_url: server.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      campaign_name: 'lying',
      ...(options.batch ? {} : { trace_id: 'trace-1' }),
      comment: 'false',
    },
  });
  expect(run.outputs.decision, run.stdout).toBe('fail');
  expect(run.exitCode).toBe(1);
  return run;
}

describe('figures outside their domain fail closed', () => {
  it.each([
    [
      'a pass rate given as a percentage',
      { pass_rate: 72 },
      'pass rate 72 (not a fraction from 0 to 1)',
    ],
    ['a negative count', { failures: -1 }, 'failures -1 (not a whole number of at least 0)'],
    [
      'a fractional count',
      { unsafe_attempts: 0.5 },
      'unsafe attempts 0.5 (not a whole number of at least 0)',
    ],
    [
      'a reliability score over 100',
      { reliability_score: 180 },
      'reliability score 180 (not a score from 0 to 100)',
    ],
  ])('%s', async (_what, figures, said) => {
    const run = await gateOn({ ...PASSING, ...figures });
    expect(run.outputs.reason).toBe(
      `Sepurux answered a figure outside its domain (${said}), so the gate fails closed rather than judge it.`,
    );
  });

  it('a number too large for a double (1e400 reads as Infinity)', async () => {
    const run = await gateOn({ ...PASSING, pass_rate: undefined, appendRaw: '"pass_rate": 1e400' });
    expect(run.outputs.reason).toContain(
      'with a body the gate does not recognise (pass_rate: Invalid input: expected number, received Infinity)',
    );
  });

  it('a batch coverage over 100', async () => {
    const run = await gateOn({ ...PASSING, scenario_coverage_pct: 250 }, { batch: true });
    expect(run.outputs.reason).toContain('scenario coverage 250% (not a percentage from 0 to 100)');
  });
});

describe('answers that contradict themselves or the request fail closed', () => {
  it('a status that says fail beside a decision that says pass', async () => {
    const run = await gateOn({ ...PASSING, status: 'fail' });
    expect(run.outputs.reason).toBe(
      'Sepurux: the answer contradicts itself (status "fail", decision "pass"), so the gate fails closed.',
    );
  });

  it('a poll answered about another run', async () => {
    const run = await gateOn({ ...PASSING, overrides: { run_id: 'someone-elses-run' } });
    expect(run.outputs.reason).toMatch(
      /^GET \/v1\/ci\/runs\/\{run_id\} was asked about run_id "[0-9a-f-]{36}" and answered about "someone-elses-run"; the answer cannot be this gate's verdict, so the gate fails closed\.$/,
    );
  });

  it('a batch poll answered about another batch', async () => {
    const run = await gateOn(
      { ...PASSING, overrides: { batch_id: 'another-batch' } },
      { batch: true },
    );
    expect(run.outputs.reason).toContain('answered about "another-batch"');
  });

  it('a batch that reports fewer traces than it started', async () => {
    const run = await gateOn({ ...PASSING, overrides: { trace_count: 2 } }, { batch: true });
    expect(run.outputs.reason).toBe(
      'Sepurux: the batch reports 2 traces but 3 were started, so its figures do not cover the campaign and the gate fails closed.',
    );
  });

  it('a batch that evaluated nothing', async () => {
    const run = await gateOn({ ...PASSING, overrides: { trace_count: 0 } }, { batch: true });
    expect(run.outputs.reason).toContain('the batch reports 0 traces but 3 were started');
  });
});

describe('JSON a reader could take two ways fails closed', () => {
  it('a verdict that names its decision twice, the pass last', async () => {
    const run = await gateOn({ ...PASSING, decision: 'fail', appendRaw: '"decision": "pass"' });
    expect(run.outputs.reason).toMatch(
      /^GET \/v1\/ci\/runs\/\{run_id\} answered HTTP 200 with JSON that names a field twice \(member "decision" appears twice in one object at .*\); either value could be read, so the gate fails closed\.$/,
    );
  });
});

describe('backend text is bounded', () => {
  it('a 2 MiB decision string makes a reason of at most 1,000 characters', async () => {
    const run = await gateOn({ ...PASSING, decision: 'maybe'.repeat(400_000) });
    expect(run.outputs.reason!.length).toBeLessThanOrEqual(1000);
    expect(run.outputs.reason).toMatch(
      /^Sepurux: finished \(status "done"\) with decision "(maybe)+\w*…", which is neither pass nor fail/,
    );
  });
});

describe('a status or a decision that is not a verdict fails closed', () => {
  it.each(['failed', 'block', 'FAIL ', 'rejected', 'pending', 'warn'])(
    'a decision %j beside a status "pass" is not passed over for the status',
    async (decision) => {
      const run = await gateOn({ ...PASSING, decision, status: 'pass' });
      expect(run.outputs.reason).toMatch(
        /which is neither pass nor fail, so the gate fails closed/,
      );
    },
  );

  it('a batch that does not say how many traces it evaluated fails closed', async () => {
    const run = await gateOn({ ...PASSING, overrides: { trace_count: null } }, { batch: true });
    expect(run.outputs.reason).toContain(
      'the batch does not say how many traces it evaluated (3 were started)',
    );
  });
});

describe('a run that could not evaluate is an error, never a sample', () => {
  /** Three repeats on a campaign whose first run ends `failed` with figures that would pass pooled, then the rest pass. */
  const repeatsWithOneFailedRun = (more: Record<string, string> = {}) => {
    let n = 0;
    fake = new FakeSepurux({
      campaigns: [
        {
          id: randomUUID(),
          name: 'lying',
          outcome: PASSING,
          draw: () =>
            n++ === 0
              ? { status: 'failed', decision: 'fail', pass_rate: 0, overrides: { trace_count: 50 } }
              : { overrides: { trace_count: 50 } },
        },
      ],
    });
    return runAction({
      inputs: {
        base_url: server.origin,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        campaign_name: 'lying',
        trace_id: 'trace-1',
        repeats: '3',
        min_pass_rate: '0.8',
        ...more,
      },
    });
  };

  it('a failed run among repeats fails the gate closed, whatever its figures', async () => {
    const run = await repeatsWithOneFailedRun({ retry_errors: '0' });
    expect(run.outputs.decision, run.stdout).toBe('fail');
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toMatch(/^Sepurux could not evaluate 1 of 3 repeats: repeat \d: /);
    expect(run.outputs).toMatchObject({ errors: '1', retried: '0', repeats_run: '2' });
  });

  it('a failed run among repeats is started again, and only the new run is a sample', async () => {
    const run = await repeatsWithOneFailedRun();
    expect(run.outputs.decision, run.stdout).toBe('pass');
    expect(run.outputs).toMatchObject({ errors: '0', retried: '1', repeats_run: '3' });
    // Four runs, each with its own key: the retry is a new run, never the failed one read again.
    const keys = fake.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(4);
    expect(run.outputs.pass_rate).toBe('0.92');
  });

  it.each([
    ['scored 1 of its 100 items', 1],
    ['scored none of its items', 0],
  ])('a TruLayer eval run that %s', async (_what, scoredItems) => {
    const trulayer = new FakeTruLayer({ items: 100, scoredItems, forceDecision: 'pass' });
    const served = await serveHandlers(() => trulayer.handlers());
    try {
      const run = await runAction({
        inputs: {
          backend: 'trulayer',
          base_url: served.origin,
          token: FAKE_TRULAYER_TOKEN,
          dataset_id: DATASET_ID,
          eval_version_id: EVAL_VERSION_ID,
          score_floor: '0.5',
        },
      });
      expect(run.outputs.decision, run.stdout).toBe('fail');
      expect(run.exitCode).toBe(1);
      expect(run.outputs.reason).toContain(
        `TruLayer could not evaluate the run: the eval run scored ${scoredItems || 'none'} of its 100 items`,
      );
      // Started again once, as a new eval run, and no better: one error left.
      expect(run.outputs).toMatchObject({ errors: '1', retried: '1' });
      expect(trulayer.requestsTo('POST', `/v1/datasets/${DATASET_ID}/runs`)).toHaveLength(2);
    } finally {
      await served.close();
    }
  });
});

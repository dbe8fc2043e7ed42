import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../../support/fake-sepurux.js';
import { FaultyServer } from '../../support/faults.js';
import { gateWith, memoryLog, TEST_CHANGE } from '../../support/gate.js';
import { type ServedHandlers, serveHandlers } from '../../support/serve.js';
import { planGate } from '../../../src/core/gate/plan.js';
import { InputError } from '../../../src/core/support/errors.js';
import { errorsLeft } from '../../../src/core/retry/types.js';

let fake = new FakeSepurux();
let server: ServedHandlers;
let faulty: FaultyServer | undefined;
let base: Record<string, string>;
beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
  base = {
    base_url: server.origin,
    token: FAKE_TOKEN,
    project_id: FAKE_PROJECT_ID,
    trace_id: 'trace-1',
    campaign_name: 'refund-reliability',
  };
});
afterEach(async () => {
  await faulty?.stop();
  faulty = undefined;
});
afterAll(() => server.close());

/** A fake whose `n`th new run (1-based, in creation order) ends `failed` when `fails(n)`. */
function failing(fails: (n: number) => boolean) {
  fake = new FakeSepurux();
  let n = 0;
  fake.campaign('refund-reliability').draw = () => (fails(++n) ? { status: 'failed' } : {});
}

const keys = () => fake.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']);

describe('retry_errors: a run without a verdict is started again, alone', () => {
  it('starts a run the backend failed again, as a new run with its own key, and judges the new one', async () => {
    failing((n) => n === 1);
    const log = memoryLog();
    const verdict = await gateWith(base, log);
    expect(verdict).toMatchObject({ decision: 'pass', outcome: 'evaluated' });
    expect(fake.runs.size).toBe(2);
    expect(new Set(keys()).size).toBe(2);
    const [first, second] = [...fake.runs.keys()];
    expect(verdict.ids.run_id).toBe(second);
    expect(verdict.attempts).toMatchObject({ started: 2, retried: 1, retryErrors: 1 });
    expect(verdict.attempts?.errors).toEqual([
      expect.objectContaining({
        run: 'run',
        attempt: 1,
        runId: first,
        kind: 'unevaluated',
        retried: true,
      }),
    ]);
    expect(errorsLeft(verdict.attempts)).toEqual([]);
    expect(log.lines.some((l) => l.includes('Starting it again (retry 1 of 1)'))).toBe(true);
  });

  it('says "could not evaluate" with the backend\'s message once every attempt failed', async () => {
    failing(() => true);
    const verdict = await gateWith({ ...base, retry_errors: '2' });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toBe(
      'Sepurux could not evaluate the run: the evaluation itself failed (status "failed"), so there is no verdict to trust; tried 3 times (`retry_errors`: 2).',
    );
    expect(fake.runs.size).toBe(3);
    expect(new Set(keys()).size).toBe(3);
    expect(verdict.attempts?.errors.map((e) => e.retried)).toEqual([true, true, false]);
    // Not a regression: no failing tool is named.
    expect(verdict.topFailingTools).toEqual([]);
  });

  it('starts nothing again with retry_errors: 0', async () => {
    failing(() => true);
    const verdict = await gateWith({ ...base, retry_errors: '0' });
    expect(verdict.outcome).toBe('error');
    expect(fake.runs.size).toBe(1);
    expect(verdict.reason).not.toContain('tried');
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 0 });
  });

  it('stops at max_runs, and the reason says the budget decided', async () => {
    failing(() => true);
    const verdict = await gateWith({ ...base, retry_errors: '3', max_runs: '2' });
    expect(fake.runs.size).toBe(2);
    expect(verdict.reason).toMatch(
      /could not evaluate the run: .*; tried 2 times \(`retry_errors`: 3\); not started again: `max_runs` \(2\) was reached\.$/,
    );
    expect(verdict.attempts).toMatchObject({ started: 2, retried: 1, maxRuns: 2 });
  });

  it('sends a start that answered 500 again with its key (the backend may have started it): the transport alone does not resend it', async () => {
    fake = new FakeSepurux();
    faulty = await new FaultyServer(server.origin).start();
    faulty.on('POST', '/v1/ci/runs', { kind: 'status', status: 500, body: '{"detail":"boom"}' });
    const verdict = await gateWith({ ...base, base_url: faulty.origin });
    expect(verdict.decision).toBe('pass');
    // Resent as it was: a retry, but no new run against `max_runs`.
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 1 });
    expect(verdict.attempts?.errors[0]).toMatchObject({ kind: 'unevaluated', retried: true });
    expect(verdict.attempts?.errors[0]?.message).toContain('HTTP 500: boom');
    // A 500 may have started the run: the start is sent again with the same key, for the backend to deduplicate.
    const sent = faulty.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
  });

  it('never retries what another run would repeat: a rejected token is said as it is', async () => {
    fake = new FakeSepurux();
    const verdict = await gateWith({ ...base, token: 'wrong-token' });
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toMatch(/^GET \/v1\/campaigns failed with HTTP 401/);
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 0 });
    expect(verdict.attempts?.errors[0]).toMatchObject({ kind: 'refused', retried: false });
  });
});

describe('retries with repeats: only the repeat that errored', () => {
  it('starts only the errored repeat again; it is never a sample, and repeats_run counts evaluated repeats', async () => {
    failing((n) => n === 2);
    const verdict = await gateWith({ ...base, repeats: '3', min_pass_rate: '0.85' });
    expect(verdict).toMatchObject({ decision: 'pass', outcome: 'evaluated' });
    expect(fake.runs.size).toBe(4);
    expect(new Set(keys()).size).toBe(4);
    expect(verdict.repeats).toMatchObject({ run: 3, passed: 3 });
    expect(verdict.attempts).toMatchObject({ started: 4, retried: 1 });
    expect(verdict.attempts?.errors[0]?.run).toMatch(/^repeat [123]$/);
  });

  it('fails as "could not evaluate" when a repeat has no verdict after its retries, counting it', async () => {
    failing((n) => n === 1 || n === 4);
    const verdict = await gateWith({ ...base, repeats: '3' });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toMatch(
      /^Sepurux could not evaluate 1 of 3 repeats: repeat \d: the evaluation itself failed .*; tried 2 times \(`retry_errors`: 1\)\. A repeat without a verdict is never pooled, so the gate fails closed\.$/,
    );
    expect(verdict.repeats).toMatchObject({ run: 2, passed: 2 });
    expect(errorsLeft(verdict.attempts)).toHaveLength(1);
  });

  it('keeps retries within max_runs beside fixed repeats', async () => {
    failing((n) => n === 1);
    const verdict = await gateWith({ ...base, repeats: '3', max_runs: '3' });
    expect(fake.runs.size).toBe(3);
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toContain('not started again: `max_runs` (3) was reached');
  });

  it('stops repeats: auto at max_runs, and says the budget came first', async () => {
    fake = new FakeSepurux();
    const campaign = fake.campaign('refund-reliability');
    // Every run right at the bound: the sequential test cannot tell above it from below.
    campaign.draw = () => ({ pass_rate: 0.85 });
    const verdict = await gateWith({
      ...base,
      min_pass_rate: '0.85',
      repeats: 'auto',
      max_repeats: '10',
      max_runs: '3',
    });
    expect(fake.runs.size).toBe(3);
    expect(verdict.repeats?.stopped).toBe(
      'the budget (`max_runs: 3`) came before the sequential test decided; the pooled figures decide',
    );
    expect(verdict.repeats?.decidedAtBudget).toBe(true);
  });
});

describe('the budget inputs', () => {
  it.each([
    [
      { repeats: '5', max_runs: '3' },
      '`max_runs` / `repeats`: the most runs is fewer than the repeats asked for',
    ],
    [
      { repeats: 'auto', min_repeats: '3', max_runs: '2' },
      '`max_runs` / `min_repeats`: the most runs is fewer than the first round of repeats',
    ],
    [{ retry_errors: '4' }, '`retry_errors` is "4"; write a whole number from 0 to 3'],
  ])('refuses %o before any call', async (inputs, message) => {
    fake = new FakeSepurux();
    const planned = planGate({ ...base, ...inputs }, TEST_CHANGE);
    await expect(planned).rejects.toThrow(InputError);
    await expect(planned).rejects.toThrow(message);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('retries against a hostile backend', () => {
  it('refuses a retry answered with the run that had just ended without a verdict', async () => {
    fake = new FakeSepurux({ oneRunForEveryKey: true });
    fake.campaign('refund-reliability').draw = () => ({ status: 'failed' });
    const verdict = await gateWith(base);
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toMatch(
      /^Sepurux answered a new start with run ".+", which had already ended without a verdict; a retry is a new run, so the gate fails closed\.$/,
    );
    expect(verdict.attempts?.errors.map((e) => [e.retried, e.kind])).toEqual([
      [true, 'unevaluated'],
      [false, 'refused'],
    ]);
  });

  it('starts nothing again when asked to wait past the timeout (Retry-After)', async () => {
    fake = new FakeSepurux();
    faulty = await new FaultyServer(server.origin).start();
    faulty.on('POST', '/v1/ci/runs', {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '86400' },
    });
    const verdict = await gateWith({ ...base, base_url: faulty.origin });
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toContain('asked to retry after 86400s');
    expect(faulty.requestsTo('POST', '/v1/ci/runs')).toHaveLength(1);
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 0 });
  });

  it('could not evaluate a batch that does not say its coverage', async () => {
    fake = new FakeSepurux();
    fake.campaign('scenario-pool').outcome.overrides = { scenario_coverage_pct: null };
    const verdict = await gateWith({ ...base, trace_id: '', campaign_name: 'scenario-pool' });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toContain('the batch does not say how much');
    expect(verdict.attempts).toMatchObject({ retried: 1 });
  });

  it('refuses a min_coverage written as a fraction', async () => {
    await expect(planGate({ ...base, min_coverage: '0.9' }, TEST_CHANGE)).rejects.toThrow(
      '`min_coverage` is under 1: it is a percentage from 0 to 100, not a fraction',
    );
  });
});

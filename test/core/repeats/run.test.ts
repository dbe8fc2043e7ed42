import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binomialOutcome,
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
  seededRandom,
} from '../../support/fake-sepurux.js';
import { gateWith, TEST_CHANGE } from '../../support/gate.js';
import { scratchDir } from '../../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../../support/serve.js';
import { planGate } from '../../../src/core/gate/plan.js';
import { InputError } from '../../../src/core/support/errors.js';

let fake = new FakeSepurux();
let server: ServedHandlers;
let base: Record<string, string>;
let traceFile: string;
beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
  base = { base_url: server.origin, token: FAKE_TOKEN, project_id: FAKE_PROJECT_ID };
  traceFile = join(scratchDir('repeats'), 'trace.json');
  await writeFile(traceFile, JSON.stringify({ name: 'refund_flow', steps: [] }));
});
afterAll(() => server.close());

/** A campaign whose runs each draw 20 attempts at `rate` (seeded), decided from the thresholds sent. */
function noisy(rate: number, seed = 7) {
  fake = new FakeSepurux();
  const campaign = fake.campaign('refund-reliability');
  campaign.draw = binomialOutcome(rate, 20, seededRandom(seed));
  campaign.decidesFromThresholds = true;
  return campaign;
}

describe('repeats: N', () => {
  it('runs the evaluation N times, each its own run with its own idempotency key, after one look-up and one upload', async () => {
    fake = new FakeSepurux();
    const verdict = await gateWith({
      ...base,
      trace_file: traceFile,
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: '3',
    });
    expect(verdict.decision).toBe('pass');
    expect(fake.requestsTo('GET', '/v1/campaigns')).toHaveLength(1);
    expect(fake.requestsTo('POST', '/v1/traces')).toHaveLength(1);
    const keys = fake.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    expect(verdict.repeats).toMatchObject({
      mode: 'fixed',
      run: 3,
      passed: 3,
      stopped: 'all 3 repeats ran',
    });
    expect(verdict.figures.pass_rate).toBe(0.92);
    expect(verdict.reason).toBe(
      'Sepurux, 3 repeats pooled: all 2 thresholds hold; 3 of 3 repeats passed on their own.',
    );
  });

  it('starts at most five at once: the sixth waits for a place', async () => {
    fake = new FakeSepurux();
    fake.campaign('refund-reliability').finishAfterMs = 600;
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      repeats: '7',
      poll_interval: '0.2',
    });
    expect(verdict.repeats?.run).toBe(7);
    const created = [...fake.runs.values()].map((r) => r.createdAt).sort((a, b) => a - b);
    expect(created[4]! - created[0]!).toBeLessThan(300);
    expect(created[5]! - created[0]!).toBeGreaterThanOrEqual(600);
  });

  it('judges the pooled figures: a noisy agent fails one run but passes pooled; require_all_repeats makes pass^k a threshold', async () => {
    noisy(0.9, 3);
    const pooled = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: '5',
    });
    const values = pooled.repeats?.rows.map((r) => r.figures.pass_rate) ?? [];
    expect(values.some((v) => v! < 0.85)).toBe(true);
    expect(pooled.figures.pass_rate).toBeGreaterThanOrEqual(0.85);
    expect(pooled.decision).toBe('pass');
    expect(pooled.repeats!.passed).toBeLessThan(5);
    expect(pooled.repeats!.intervals.pass_rate?.method).toBe('t interval (n = 5)');
    noisy(0.9, 3);
    const strict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: '5',
      require_all_repeats: 'true',
    });
    expect(strict.decision).toBe('fail');
    expect(strict.reason).toMatch(/repeats passed \d < 5 \(`require_all_repeats`\)/);
  });

  it('with confidence, judges each threshold on its interval across the repeats, three ways', async () => {
    noisy(0.86, 12);
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: '3',
      confidence: '0.95',
    });
    const threshold = verdict.thresholds.find((t) => t.input === 'min_pass_rate');
    expect(threshold?.interval?.method).toBe('t interval (n = 3)');
    expect(threshold?.inconclusive).toBe(true);
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain('is inconclusive against 0.85');
  });

  it('fails closed, naming the repeat, when one repeat fails for a reason no threshold explains', async () => {
    fake = new FakeSepurux();
    let drawn = 0;
    fake.campaign('refund-reliability').draw = () =>
      ++drawn === 2 ? { decision: 'fail', overrides: { pass_rate: 0.99 } } : {};
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      repeats: '3',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.outcome).toBe('evaluated');
    expect(verdict.reason).toMatch(
      /^Repeat \d of 3 .*for a reason no threshold explains, so the gate fails closed\.$/,
    );
    expect(verdict.repeats?.stopped).toMatch(/^repeat \d failed closed$/);
  });

  it('fails closed when one repeat claims more traces than the others, which would outweigh them pooled', async () => {
    fake = new FakeSepurux();
    let drawn = 0;
    fake.campaign('refund-reliability').draw = () =>
      ++drawn === 1
        ? { decision: 'pass', pass_rate: 1, failures: 0, overrides: { trace_count: 1000 } }
        : { decision: 'fail', pass_rate: 0, failures: 1, overrides: { trace_count: 1 } };
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: '3',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toMatch(
      /^Repeat [23] of 3 reports trace_count 1 where repeat 1 reported 1000: repeats of one evaluation are the same size/,
    );
  });

  it('fails closed when batches of different ids share their scenario runs: one evaluation pooled twice', async () => {
    fake = new FakeSepurux({ sharedScenarioRuns: true });
    const verdict = await gateWith({ ...base, campaign_name: 'scenario-pool', repeats: '3' });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain('already a run of batch');
    expect(verdict.reason).toContain('one run pooled twice is not two samples');
  });

  it('never pools a batch under min_coverage: the repeat could not evaluate, and the gate fails closed', async () => {
    fake = new FakeSepurux();
    let drawn = 0;
    fake.campaign('scenario-pool').draw = () =>
      ++drawn === 1 ? { scenario_coverage_pct: 20 } : { scenario_coverage_pct: 100 };
    const verdict = await gateWith({
      ...base,
      campaign_name: 'scenario-pool',
      min_coverage: '60',
      repeats: '3',
      retry_errors: '0',
    });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toMatch(
      /^Sepurux could not evaluate 1 of 3 repeats: repeat \d: the batch ran 20% of the campaign's scenarios, below `min_coverage`/,
    );
    // The two evaluated repeats are what ran; the one without a verdict is no sample.
    expect(verdict.repeats).toMatchObject({ run: 2 });
  });

  it('names flaky tools apart from those failing in every repeat', async () => {
    fake = new FakeSepurux();
    let drawn = 0;
    fake.campaign('refund-reliability').draw = () => ({
      top_failing_tools: [
        { tool: 'orders.lookup', count: 1 },
        ...(++drawn % 2 ? [{ tool: 'payments.refund', count: 1 }] : []),
      ],
    });
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      repeats: '3',
    });
    expect(verdict.repeats).toMatchObject({
      flakyTools: ['payments.refund'],
      steadyTools: ['orders.lookup'],
    });
  });
});

describe('repeats: auto', () => {
  it('stops as soon as the sequential test decides a clearly good agent', async () => {
    noisy(0.99, 5);
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: 'auto',
      poll_interval: '0.2',
    });
    expect(verdict.decision).toBe('pass');
    expect(verdict.repeats!.run).toBeLessThanOrEqual(3);
    expect(verdict.repeats!.sequential?.[0]).toMatchObject({
      input: 'min_pass_rate',
      call: 'holds',
      on: 'values',
    });
    expect(verdict.reason).toContain(
      '`repeats: auto`; the sequential test decided every threshold after',
    );
  });

  it('stops as soon as it decides a clearly bad one', async () => {
    noisy(0.5, 5);
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: 'auto',
      poll_interval: '0.2',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.repeats!.sequential?.[0]?.call).toBe('breaks');
  });

  it('at the budget, lets the pooled figure decide and says so', async () => {
    noisy(0.85, 9);
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      repeats: 'auto',
      max_repeats: '2',
      min_repeats: '2',
      poll_interval: '0.2',
    });
    expect(verdict.repeats).toMatchObject({ run: 2, decidedAtBudget: true });
    expect(verdict.repeats!.stopped).toBe(
      'the budget (`max_repeats: 2`) came before the sequential test decided; the pooled figures decide',
    );
  });
});

describe('repeat inputs', () => {
  const problems = async (inputs: Record<string, string>) => {
    const error = await planGate(
      { ...base, trace_id: 't', campaign_name: 'c', ...inputs },
      TEST_CHANGE,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.join('\n');
  };
  it.each([
    [{ repeats: '0' }, '`repeats` is "0"; write a whole number from 1 to 20, or `auto`'],
    [{ repeats: '21' }, '`repeats` is "21"'],
    [
      { repeats: 'auto', max_repeats: '2', min_repeats: '3' },
      '`max_repeats` is below `min_repeats`',
    ],
    [{ max_repeats: '3' }, '`max_repeats` is read only with `repeats: auto`'],
    [{ margin: '0.1', repeats: '3' }, '`margin` is read only with `repeats: auto`'],
    [{ require_all_repeats: 'true' }, 'asks every repeat to pass, but `repeats` is 1'],
    [{ repeats: 'auto', timeout: '10', poll_interval: '5' }, 'leaves no room for `repeats: auto`'],
    [
      { repeats: 'auto', min_reliability_score: '80' },
      'Input `margin` is required with `repeats: auto` and `min_reliability_score`',
    ],
    [
      { repeats: 'auto', min_pass_rate: '0.8', margin: '0.8' },
      '`margin` 0.8 with `min_pass_rate: 0.8` would test "at least 1.6" against "at most 0", outside the pass rate\'s range (a fraction from 0 to 1): threshold ± margin must stay strictly inside it; write a `margin` below 0.2 (e.g. `margin: 0.1`)',
    ],
    [
      { repeats: 'auto', min_pass_rate: '0.97' },
      '`margin` (default 0.05) with `min_pass_rate: 0.97` would test "at least 1.02" against "at most 0.92", outside the pass rate\'s range (a fraction from 0 to 1): threshold ± margin must stay strictly inside it; write a `margin` below 0.03 (e.g. `margin: 0.02`)',
    ],
    [
      { repeats: 'auto', min_pass_rate: '1' },
      "no margin keeps both inside the pass rate's range (a fraction from 0 to 1): the threshold is at its edge; use a fixed `repeats` (e.g. `repeats: 5`) for it",
    ],
    [
      { repeats: 'auto', min_reliability_score: '98', margin: '5' },
      '`margin` 5 with `min_reliability_score: 98` would test "at least 103" against "at most 93", outside the reliability score\'s range (a score from 0 to 100)',
    ],
  ])('%j', async (inputs, said) => {
    expect(await problems(inputs)).toContain(said);
  });

  it('takes a margin that keeps both hypotheses inside the range', async () => {
    await expect(
      planGate(
        {
          ...base,
          trace_id: 't',
          campaign_name: 'c',
          repeats: 'auto',
          min_pass_rate: '0.8',
          margin: '0.19',
        },
        TEST_CHANGE,
      ),
    ).resolves.toBeDefined();
    await expect(
      planGate(
        { ...base, trace_id: 't', campaign_name: 'c', repeats: 'auto', min_pass_rate: '0.9' },
        TEST_CHANGE,
      ),
    ).resolves.toBeDefined();
  });

  it('refuses repeats of an existing TruLayer eval run', async () => {
    const error = await planGate(
      {
        backend: 'trulayer',
        token: 't',
        dataset_id: '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c',
        eval_run_id: '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c',
        score_floor: '0.5',
        repeats: '3',
      },
      TEST_CHANGE,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      '`eval_run_id` gates one eval run that exists; use `eval_version_id`',
    );
  });
});

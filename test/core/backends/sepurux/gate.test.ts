import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../../../support/fake-sepurux.js';
import { gateWith, memoryLog } from '../../../support/gate.js';
import { type ServedHandlers, serveHandlers } from '../../../support/serve.js';
import { scratchDir } from '../../../support/scratch.js';

let fake = new FakeSepurux();
let server: ServedHandlers;
let base: Record<string, string>;
let traceFile: string;

beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
  base = {
    base_url: `${server.origin}/api/backend`,
    token: FAKE_TOKEN,
    project_id: FAKE_PROJECT_ID,
  };
  const dir = scratchDir('sepurux');
  traceFile = join(dir, 'trace.json');
  await writeFile(
    traceFile,
    JSON.stringify({ name: 'refund_flow', steps: [{ tool: 'payments.refund' }] }),
  );
});
afterEach(() => {
  fake = new FakeSepurux();
});
afterAll(() => server.close());

function use(f: FakeSepurux) {
  fake = f;
}

describe('Sepurux gate', () => {
  it('uploads the trace, resolves the campaign by name, runs and passes', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({
      ...base,
      trace_file: traceFile,
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
    });
    expect(verdict.decision).toBe('pass');
    expect(verdict.ids.trace_id).toBe([...fake.traces.keys()][0]);
    expect(verdict.ids.campaign_id).toBe(fake.campaign('refund-reliability').id);
    expect(verdict.dashboardUrl).toMatch(/^https:\/\/app\.sepurux\.dev\/runs\//);
    const [create] = fake.requestsTo('POST', '/v1/ci/runs');
    expect(create?.body).toEqual({
      trace_id: verdict.ids.trace_id,
      campaign_id: verdict.ids.campaign_id,
      thresholds: { min_pass_rate: 0.85, max_unsafe: 0 },
      repo: 'octo-org/agent',
      commit_sha: 'a'.repeat(40),
    });
    expect(create?.headers['x-sepurux-token']).toBe(FAKE_TOKEN);
    expect(create?.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    expect(fake.requestsTo('POST', '/v1/traces')[0]?.headers['x-api-key']).toBe(FAKE_TOKEN);
  });

  it('gates an existing trace and campaign id without uploading or looking up', async () => {
    use(new FakeSepurux());
    const campaign = fake.campaign('refund-reliability');
    const verdict = await gateWith({
      base_url: base.base_url!,
      token: FAKE_TOKEN,
      trace_id: 'trace-1',
      campaign_id: campaign.id,
    });
    expect(verdict.decision).toBe('pass');
    expect(fake.requestsTo('POST', '/v1/traces')).toHaveLength(0);
    expect(fake.requestsTo('GET', '/v1/campaigns')).toHaveLength(0);
    // Without project_id the CI call carries only the CI token.
    expect(fake.requestsTo('POST', '/v1/ci/runs')[0]?.headers['x-project-id']).toBeUndefined();
  });

  it('fails with the backend figures and top failing tools', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({
      ...base,
      trace_id: 'trace-1',
      campaign_name: 'checkout-regression',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.outcome).toBe('evaluated');
    expect(verdict.figures).toMatchObject({ pass_rate: 0.72, unsafe_attempts: 1, failures: 5 });
    expect(verdict.topFailingTools[0]).toEqual({ tool: 'payments.refund', count: 3 });
    expect(verdict.reason).toContain('unsafe attempts 1 > 0');
  });

  it('fails closed when the backend says pass but a threshold does not hold', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.95',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toBe(
      "Sepurux said pass, but the gate's own check fails: pass rate 0.92 < 0.95 (`min_pass_rate`).",
    );
  });

  it('fails closed when a threshold figure is missing from the answer', async () => {
    const f = new FakeSepurux();
    f.campaign('refund-reliability').outcome.reliability_score = null;
    use(f);
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'refund-reliability',
      min_reliability_score: '80',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain('no reliability score returned');
  });

  it('runs the eval-set as a batch, polling the batch endpoint only', async () => {
    const f = new FakeSepurux();
    f.campaign('scenario-pool').finishAfterMs = 1200;
    use(f);
    const log = memoryLog();
    const verdict = await gateWith({ ...base, campaign_name: 'scenario-pool' }, log);
    expect(verdict.decision).toBe('pass');
    expect(verdict.ids.batch_id).toBe([...fake.batches.keys()][0]);
    expect(verdict.figures.scenario_coverage_pct).toBe(100);
    expect(verdict.thresholds.map((t) => t.input)).toContain('min_coverage');
    expect(fake.requestsTo('GET', '/v1/ci/runs/')).toHaveLength(0);
    expect(fake.requestsTo('GET', '/v1/ci/batch/').length).toBeGreaterThan(1);
    expect(log.lines.some((l) => l.includes('running (0% covered)'))).toBe(true);
  });

  it('could not evaluate a batch whose coverage stays under min_coverage: an error, not a regression', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({ ...base, campaign_name: 'partial-batch' });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toBe(
      "Sepurux could not evaluate the run: the batch ran 66.7% of the campaign's scenarios, below `min_coverage` (100%), so its figures are not the campaign's; tried 2 times (`retry_errors`: 1).",
    );
    // Short of coverage is an error, so it was started again (its own batch), and is said as no verdict, never as a regression.
    expect(fake.batches.size).toBe(2);
    expect(verdict.attempts).toMatchObject({ started: 2, retried: 1 });
    expect(verdict.attempts?.errors.map((e) => e.retried)).toEqual([true, false]);
    expect(verdict.topFailingTools).toEqual([]);
    const relaxed = await gateWith({ ...base, campaign_name: 'partial-batch', min_coverage: '60' });
    expect(relaxed.decision).toBe('pass');
  });

  it('turns a 422 for a too small eval-set into a message that says what to do', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({ ...base, campaign_name: 'small-pool' });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toContain(
      'POST /v1/ci/runs failed with HTTP 422: eval-set has 2 traces, fewer than min_scenarios (3).',
    );
    expect(verdict.reason).toContain('register more traces');
  });

  it('does not blame the eval-set for a 422 on a single-trace run', async () => {
    use(new FakeSepurux({ rejectUnknownTraces: true }));
    const verdict = await gateWith({
      ...base,
      trace_id: 'never-uploaded',
      campaign_name: 'refund-reliability',
    });
    expect(verdict.reason).toContain(
      'HTTP 422: trace_id never-uploaded is not a trace of this project',
    );
    expect(verdict.reason).not.toMatch(/eval-set|min_scenarios/);
    expect(verdict.reason).toContain('single-trace run');
  });

  it('says a 404 on the events is about the events, not the run', async () => {
    // A server without the events endpoints.
    use(new FakeSepurux({ events: () => undefined }));
    const log = memoryLog();
    const verdict = await gateWith(
      { ...base, trace_id: 't', campaign_name: 'checkout-regression' },
      log,
    );
    expect(verdict.decision).toBe('fail');
    const said = log.lines.filter((l) => l.includes('events for run'));
    expect(said).toHaveLength(2);
    for (const line of said) {
      expect(line).toContain('serves no');
      expect(line).not.toContain('Check the ids');
    }
  });

  it('names the campaigns that exist when the name matches none, across every page', async () => {
    use(new FakeSepurux({ pageSize: 2 }));
    const verdict = await gateWith({ ...base, trace_id: 't', campaign_name: 'refund' });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain('No campaign is named exactly "refund"');
    expect(verdict.reason).toContain('"slow-campaign"');
    expect(fake.requestsTo('GET', '/v1/campaigns')).toHaveLength(
      Math.ceil(fake.campaigns.length / 2),
    );
    expect(fake.requestsTo('POST', '/v1/ci/runs')).toHaveLength(0);
  });

  it('finds a campaign on a later page', async () => {
    use(new FakeSepurux({ pageSize: 1 }));
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'partial-batch',
      min_coverage: '50',
    });
    expect(verdict.ids.campaign_id).toBe(fake.campaign('partial-batch').id);
  });

  it('refuses to guess between two campaigns of the same name', async () => {
    const f = new FakeSepurux();
    f.campaigns.push({
      ...f.campaign('refund-reliability'),
      id: '11111111-2222-4333-8444-555555555555',
    });
    use(f);
    const verdict = await gateWith({ ...base, trace_id: 't', campaign_name: 'refund-reliability' });
    expect(verdict.reason).toMatch(
      /^2 campaigns are named "refund-reliability" .*set `campaign_id`/,
    );
  });

  it('accepts the older {id} answer to a trace upload', async () => {
    use(new FakeSepurux({ legacyTraceIds: true }));
    const verdict = await gateWith({
      ...base,
      trace_file: traceFile,
      campaign_name: 'refund-reliability',
    });
    expect(verdict.decision).toBe('pass');
    expect(verdict.ids.trace_id).toBe([...fake.traces.keys()][0]);
  });

  it('reports a rejected token with the status, the backend message and the fix', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({
      ...base,
      token: 'wrong',
      trace_id: 't',
      campaign_name: 'refund-reliability',
    });
    expect(verdict.reason).toBe(
      'GET /v1/campaigns failed with HTTP 401: Invalid API key or project. Check that `token` holds a valid credential for this backend.',
    );
  });

  it('fails at the timeout with a reason that says so, and keeps the ids it learned', async () => {
    use(new FakeSepurux());
    const verdict = await gateWith({
      ...base,
      trace_id: 't',
      campaign_name: 'slow-campaign',
      timeout: '2',
      poll_interval: '1',
    });
    expect(verdict).toMatchObject({ decision: 'fail', outcome: 'error' });
    expect(verdict.reason).toMatch(
      /^Sepurux could not evaluate the run: no verdict within the 2s timeout while waiting for CI run .* \(last status: running\); raise `timeout`/,
    );
    // No time is left to start it again.
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 0 });
    expect(verdict.ids.run_id).toBe([...fake.runs.keys()][0]);
    expect(verdict.durationMs).toBeLessThan(2600);
  });

  it.each([
    [
      'an unknown decision',
      { decision: 'maybe' },
      'with decision "maybe", which is neither pass nor fail',
    ],
    [
      'a run the backend marks failed',
      { decision: 'pass', status: 'failed' },
      'the evaluation itself failed',
    ],
    ['an unknown status', { decision: 'pass', status: 'exploded' }, 'unknown status "exploded"'],
  ])('fails closed on %s', async (_, outcome, reason) => {
    const f = new FakeSepurux();
    Object.assign(f.campaign('refund-reliability').outcome, outcome);
    use(f);
    const verdict = await gateWith({ ...base, trace_id: 't', campaign_name: 'refund-reliability' });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain(reason);
  });
});

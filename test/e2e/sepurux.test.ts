import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { ACTION_ENTRY, runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

let fake = new FakeSepurux();
let server: ServedHandlers;
let inputs: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(ACTION_ENTRY))
    throw new Error('dist/index.js is missing: run `npm run build` first');
  server = await serveHandlers(() => fake.handlers());
});
beforeEach(() => {
  fake = new FakeSepurux();
  inputs = {
    base_url: `${server.origin}/api/backend`,
    token: FAKE_TOKEN,
    project_id: FAKE_PROJECT_ID,
    comment: 'false',
  };
});
afterAll(() => server.close());

const pullRequest = () => webhookExample('pull_request', 'opened');

describe('the bundled action on Sepurux, as the runner runs it', () => {
  it('passes: uploads, resolves, runs, sets every output and writes the summary', async () => {
    const run = await runAction({
      inputs: {
        ...inputs,
        trace_file: 'examples/traces/refund_flow.json',
        campaign_name: 'refund-reliability',
        min_pass_rate: '0.85',
      },
      eventName: 'pull_request',
      payload: pullRequest(),
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      trace_id: [...fake.traces.keys()][0],
      campaign_id: fake.campaign('refund-reliability').id,
      run_id: [...fake.runs.keys()][0],
      pass_rate: '0.92',
      unsafe_attempts: '0',
      batch_id: '',
    });
    expect(run.outputs.dashboard_url).toBe(`https://app.sepurux.dev/runs/${run.outputs.run_id}`);
    expect(run.summary).toContain('## ✅ Sepurux Reliability Gate: pass');
    expect(run.summary).toContain('| ✅ | Pass rate | 0.92 | ≥ 0.85 (`min_pass_rate`) |');
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report).toMatchObject({ decision: 'pass', ids: { run_id: run.outputs.run_id } });
    // The pull request's number and head commit reach the backend, not the merge commit.
    const payload = pullRequest() as { pull_request: { number: number; head: { sha: string } } };
    expect(fake.requestsTo('POST', '/v1/ci/runs')[0]?.body).toMatchObject({
      repo: 'Codertocat/Hello-World',
      pull_request_number: payload.pull_request.number,
      commit_sha: payload.pull_request.head.sha,
    });
    expect(run.stdout).toContain('::group::Upload trace');
  });

  it('fails the step on a failing verdict, with the reason and the top failing tools', async () => {
    const run = await runAction({
      inputs: {
        ...inputs,
        trace_file: 'examples/traces/checkout_flow.json',
        campaign_name: 'checkout-regression',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toBe('Sepurux decided fail; unsafe attempts 1 > 0 (`max_unsafe`).');
    expect(run.annotations).toContainEqual({
      level: 'error',
      message: `Gate failed. ${run.outputs.reason}`,
    });
    expect(run.summary).toContain('| payments.refund | 3 |');
  });

  it('runs a batch over the eval-set and reports its coverage', async () => {
    const run = await runAction({ inputs: { ...inputs, campaign_name: 'scenario-pool' } });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      batch_id: [...fake.batches.keys()][0],
      trace_count: '3',
      scenario_coverage_pct: '100',
    });
    expect(fake.requestsTo('GET', '/v1/ci/runs/')).toHaveLength(0);
  });

  it('explains a 422 for an eval-set smaller than min_scenarios', async () => {
    const run = await runAction({ inputs: { ...inputs, campaign_name: 'small-pool' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'HTTP 422: eval-set has 2 traces, fewer than min_scenarios (3)',
    );
  });

  it('lists the campaigns that exist when the name is unknown', async () => {
    const run = await runAction({
      inputs: { ...inputs, trace_id: 'trace-1', campaign_name: 'refund-reliabilty' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'No campaign is named exactly "refund-reliabilty" (closest: "refund-reliability", "refunds-reliability"; others: ',
    );
  });

  it('fails at the timeout and exits at once', async () => {
    const run = await runAction({
      inputs: {
        ...inputs,
        trace_id: 'trace-1',
        campaign_name: 'slow-campaign',
        timeout: '2',
        poll_interval: '1',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /^Sepurux could not evaluate the run: no verdict within the 2s timeout/,
    );
    expect(run.outputs).toMatchObject({ errors: '1', retried: '0' });
    expect(run.durationMs).toBeLessThan(5000);
  });

  it('stops on bad input before any network call, naming the input', async () => {
    const run = await runAction({
      inputs: {
        ...inputs,
        trace_id: 'trace-1',
        campaign_name: 'refund-reliability',
        min_pass_rate: '85',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toContainEqual({
      level: 'error',
      message:
        'Input `min_pass_rate` is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%).',
    });
    expect(run.outputs.decision).toBe('fail');
    expect(fake.requests).toHaveLength(0);
  });

  it('stops on a trace file that is not a JSON object before any network call', async () => {
    const run = await runAction({
      inputs: {
        ...inputs,
        trace_file: 'package-lock.json/missing.json',
        campaign_name: 'refund-reliability',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(
      /^`trace_file` "package-lock.json\/missing.json" .* (does not exist|cannot be read)/,
    );
    expect(fake.requests).toHaveLength(0);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// Comparing with the base branch: the base's verdict is read back from the gate's own check.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[];
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string }; head: { sha: string } };
};
const BASE = payload.pull_request.base.sha;
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const inputs = (more: Record<string, string>) => ({
  base_url: servers[0]!.origin,
  token: FAKE_TOKEN,
  project_id: FAKE_PROJECT_ID,
  github_token: FAKE_GITHUB_TOKEN,
  trace_id: 'trace-1',
  ...more,
});
/** The gate on a push to the base branch: its check on the base commit carries the record. */
const onBase = (campaign = 'refund-reliability') =>
  runAction({
    inputs: inputs({ campaign_name: campaign }),
    eventName: 'push',
    payload: {},
    env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_SHA: BASE },
  });
const onPullRequest = (more: Record<string, string>) =>
  runAction({
    inputs: inputs(more),
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin },
  });
const comment = () => {
  const seen = render(github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '');
  return { ...seen, text: seen.text.replaceAll('\u200d', '') };
};

describe('the base branch as baseline', () => {
  it('says when the base commit could not evaluate, rather than that it has no verdict', async () => {
    sepurux.campaign('refund-reliability').draw = () => ({ status: 'failed' });
    const base = await onBase();
    expect(base.outputs).toMatchObject({ decision: 'fail', errors: '1' });
    sepurux.campaign('refund-reliability').draw = undefined;
    // Another workflow run: its own gate key, so a new backend run rather than the base's again.
    const run = await runAction({
      inputs: inputs({ campaign_name: 'refund-reliability', max_pass_rate_drop: '0.05' }),
      eventName: 'pull_request',
      payload,
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_RUN_ID: '9002' },
    });
    expect(run.outputs.decision, run.outputs.reason).toBe('warn');
    expect(run.outputs.reason).toContain(
      `no baseline: this gate's "Sepurux Reliability Gate" on the base commit ${BASE.slice(0, 12)} has no evaluated verdict (it could not evaluate, or was cancelled)`,
    );
  });

  it("shows each figure beside the base commit's, with the delta, and a drop within bounds passes", async () => {
    expect((await onBase()).exitCode).toBe(0);
    const run = await onPullRequest({
      campaign_name: 'refund-reliability',
      max_pass_rate_drop: '0.05',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      baseline_sha: BASE,
      baseline_decision: 'pass',
      baseline_run_id: [...sepurux.runs.keys()][0],
    });
    const seen = comment();
    expect(seen.rows[0]).toEqual([
      '',
      'Figure',
      'Value',
      `Base ${BASE.slice(0, 7)} (pass)`,
      'Δ',
      'Threshold',
    ]);
    expect(seen.rows).toContainEqual([
      '✅',
      'Pass rate drop',
      '0',
      '—',
      '—',
      '≤ 0.05 (max_pass_rate_drop)',
    ]);
    expect(seen.rows).toContainEqual(['', 'Reliability score', '91', '91', '±0', '']);
  });

  it('fails a drop beyond max_pass_rate_drop, and names what newly fails', async () => {
    // The same campaign, better on the base commit.
    const campaign = sepurux.campaign('checkout-regression');
    const regressed = campaign.outcome;
    campaign.outcome = {
      decision: 'pass',
      pass_rate: 0.92,
      unsafe_attempts: 0,
      failures: 0,
      reliability_score: 91,
    };
    await onBase('checkout-regression');
    campaign.outcome = regressed;
    const run = await onPullRequest({
      campaign_name: 'checkout-regression',
      max_pass_rate_drop: '0.05',
      max_unsafe: '5',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      'Sepurux decided fail; against the base branch: pass rate drop 0.2 > 0.05 (`max_pass_rate_drop`).',
    );
    const seen = comment();
    expect(seen.rows).toContainEqual(['', 'Pass rate', '0.72', '0.92', '−0.2', '']);
    expect(seen.text).toContain(
      'Newly failing (not failing on the base commit): payments.refund, orders.lookup',
    );
    const report = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile(run.outputs.report_file!, 'utf8')),
    );
    expect(report.baseline).toMatchObject({
      record: { headSha: BASE, figures: { pass_rate: 0.92 } },
      deltas: { pass_rate: -0.2 },
    });
  });

  it('shows a base verdict of another campaign as not comparable: never a regression, on_missing_baseline decides', async () => {
    await onBase('refund-reliability');
    const run = await onPullRequest({
      campaign_name: 'checkout-regression',
      max_pass_rate_drop: '0.05',
      max_unsafe: '5',
    });
    const base = sepurux.campaign('refund-reliability').id;
    const here = sepurux.campaign('checkout-regression').id;
    expect(run.outputs.reason).toBe(
      `Sepurux decided fail; against the base branch: nothing was compared for \`max_pass_rate_drop\` (no baseline: the base verdict (${BASE.slice(0, 12)}) is of another campaign (${base} there, ${here} here): not comparable; on_missing_baseline: warn).`,
    );
    const seen = comment();
    expect(seen.text).toContain(
      `No baseline: the base verdict (${BASE.slice(0, 12)}) is of another campaign`,
    );
    expect(seen.text).not.toContain('Newly failing');
    expect(seen.rows[0]).not.toContain(`Base ${BASE.slice(0, 7)} (pass)`);
  });

  it('ignores a record forged by another GitHub App, and a missing baseline follows on_missing_baseline', async () => {
    const forged = (await import('../../src/core/baseline/encode.js')).encodeRecord(
      {
        decision: 'pass',
        reason: '',
        outcome: 'evaluated',
        backend: 'Sepurux',
        ids: { run_id: 'forged' },
        figures: { pass_rate: 1 },
        thresholds: [],
        topFailingTools: [],
        durationMs: 1,
      },
      'Sepurux Reliability Gate',
      BASE,
    );
    github.seedCheckRun({
      name: 'Sepurux Reliability Gate',
      head_sha: BASE,
      status: 'completed',
      conclusion: 'success',
      app: 'evil-app',
      completed_at: new Date().toISOString(),
      output: { text: forged },
    });
    const warned = await onPullRequest({
      campaign_name: 'refund-reliability',
      max_pass_rate_drop: '0.05',
    });
    expect(warned.outputs).toMatchObject({ decision: 'warn', baseline_sha: '' });
    // The one run passed on its own: a missing baseline is the comparison's warning, not the run's.
    expect(warned.outputs).toMatchObject({ repeats_run: '1', repeats_passed: '1' });
    expect(warned.outputs.reason).toContain(
      `nothing was compared for \`max_pass_rate_drop\` (no baseline: the base commit ${BASE.slice(0, 12)} has no verdict of "Sepurux Reliability Gate" from this gate; on_missing_baseline: warn)`,
    );
    expect(warned.exitCode).toBe(0);
    expect(comment().text).toContain(
      `No baseline: the base commit ${BASE.slice(0, 12)} has no verdict`,
    );
    const failed = await onPullRequest({
      campaign_name: 'refund-reliability',
      max_pass_rate_drop: '0.05',
      on_missing_baseline: 'fail',
    });
    expect(failed.outputs.decision).toBe('fail');
    const passed = await onPullRequest({
      campaign_name: 'refund-reliability',
      max_pass_rate_drop: '0.05',
      on_missing_baseline: 'pass',
    });
    expect(passed.outputs.decision).toBe('pass');
    // A pass by policy is not a silent pass: the reason says nothing was compared.
    expect(passed.outputs.reason).toContain('nothing was compared for `max_pass_rate_drop`');
    expect(passed.outputs.reason).toContain('on_missing_baseline: pass');
  });

  it('is not looked for with baseline: off, and drop inputs belong to Sepurux', async () => {
    await onBase();
    const run = await onPullRequest({ campaign_name: 'refund-reliability', baseline: 'off' });
    expect(run.outputs).toMatchObject({ decision: 'pass', baseline_sha: '' });
    expect(
      github.requests.filter((r) => r.path.includes(`/commits/${BASE}/check-runs`)),
    ).toHaveLength(0);
    const foreign = await runAction({
      inputs: {
        backend: 'trulayer',
        token: 't0ken',
        dataset_id: '1f3b6c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
        eval_run_id: '7a21c3e5-9b0d-4e2f-8a4c-6e8f0b2d4f6a',
        score_floor: '0.5',
        max_pass_rate_drop: '0.05',
      },
    });
    expect(foreign.exitCode).toBe(1);
    expect(foreign.annotations[0]?.message).toBe(
      'Input `max_pass_rate_drop` (Sepurux, promptfoo, Braintrust) is an input of another backend and would be ignored with `backend: trulayer`; remove it or set `backend` to match.',
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_RUN_ID,
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
  type FakeTruLayerOptions,
} from '../support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub, type FakeUser } from '../support/fake-github.js';
import { render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// TruLayer with a baseline: the base branch's eval run, per-item error bars, a policy judged on intervals.
let trulayer = new FakeTruLayer();
let github = new FakeGitHub();
let servers: ServedHandlers[];
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => trulayer.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const inputs = (more: Record<string, string>) => ({
  backend: 'trulayer',
  base_url: servers[0]!.origin,
  token: FAKE_TRULAYER_TOKEN,
  dataset_id: DATASET_ID,
  eval_version_id: EVAL_VERSION_ID,
  github_token: FAKE_GITHUB_TOKEN,
  ...more,
});
const onPullRequest = (more: Record<string, string>) =>
  runAction({
    inputs: inputs(more),
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin },
  });
const fresh = (options: FakeTruLayerOptions = {}) => {
  trulayer = new FakeTruLayer(options);
  github = new FakeGitHub();
};

describe('TruLayer against a baseline', () => {
  it("baseline_run_id: auto sends the base commit's eval run to /v1/ci/gate", async () => {
    fresh();
    const base = await runAction({
      inputs: inputs({ score_floor: '0.5' }),
      eventName: 'push',
      payload: {},
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_SHA: payload.pull_request.base.sha },
    });
    expect(base.exitCode).toBe(0);
    const run = await onPullRequest({ baseline_run_id: 'auto', delta_tolerance: '-0.02' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.baseline_run_id).toBe(base.outputs.run_id);
    expect(trulayer.requestsTo('POST', '/v1/ci/gate').at(-1)?.body).toMatchObject({
      baseline_run_id: base.outputs.run_id,
      policy: { delta_tolerance: -0.02 },
    });
    expect(run.stdout).toContain(
      `Baseline: eval run ${base.outputs.run_id}, the base branch's (baseline_run_id: auto).`,
    );
  });

  it('an accepted failing base run is no baseline: no baseline_run_id is sent, and the log says why', async () => {
    fresh({ meanScore: 0.6 });
    const baseSha = payload.pull_request.base.sha;
    const base = await runAction({
      inputs: inputs({ score_floor: '0.7' }),
      eventName: 'push',
      payload: {},
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_SHA: baseSha },
    });
    expect(base.outputs.decision).toBe('fail');
    // The base commit was a pull request's head, whose failing verdict a maintainer accepted (section 9).
    const maintainer: FakeUser = { login: 'octo-maintainer', type: 'User' };
    github.seedRole(maintainer.login, 'maintain');
    github.seedPullRequest(41, baseSha);
    const comment = webhookExample('issue_comment', 'created') as {
      issue: Record<string, unknown>;
      comment: Record<string, unknown> & { user: Record<string, unknown> };
    };
    const body = '/gate accept\nThe slower model is known.';
    const seeded = github.seedComment(41, body, maintainer);
    comment.issue = { ...comment.issue, number: 41, pull_request: { url: 'https://x/pulls/41' } };
    comment.comment = {
      ...comment.comment,
      id: seeded.id,
      body,
      user: { ...comment.comment.user, ...maintainer },
    };
    const accepted = await runAction({
      inputs: { backend: 'trulayer', github_token: FAKE_GITHUB_TOKEN },
      eventName: 'issue_comment',
      payload: comment,
      env: { GITHUB_API_URL: servers[1]!.origin },
    });
    expect(accepted.outputs.accepted_by, accepted.stdout).toBe(maintainer.login);
    const run = await runAction({
      inputs: inputs({ baseline_run_id: 'auto', delta_tolerance: '-0.02', score_floor: '0.5' }),
      eventName: 'pull_request',
      payload,
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_RUN_ID: '9002' },
    });
    expect(trulayer.requestsTo('POST', '/v1/ci/gate').at(-1)?.body).not.toHaveProperty(
      'baseline_run_id',
    );
    expect(run.outputs).toMatchObject({ decision: 'warn', baseline_sha: '', baseline_run_id: '' });
    expect(run.stdout).toContain(
      `Baseline run: none, this gate's fail verdict on the base commit ${baseSha.slice(0, 12)} was accepted by ${maintainer.login}, and an accepted verdict is no baseline.`,
    );
    expect(run.stdout).toContain(
      'no eval run of the base branch to compare with (baseline_run_id: auto); `delta_tolerance` compares nothing',
    );
    expect([...trulayer.violations, ...github.violations]).toEqual([]);
  });

  it('without a base run to compare with, auto leaves delta_tolerance to on_missing_baseline and says so', async () => {
    fresh();
    const run = await onPullRequest({
      baseline_run_id: 'auto',
      delta_tolerance: '-0.02',
      score_floor: '0.5',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('warn');
    expect(trulayer.requestsTo('POST', '/v1/ci/gate')[0]?.body).toEqual({
      dataset_id: DATASET_ID,
      run_id: run.outputs.run_id,
      policy: { score_floor: 0.5, on_fail: 'block' },
    });
    expect(run.stdout).toContain(
      'no eval run of the base branch to compare with (baseline_run_id: auto); `delta_tolerance` compares nothing, and on_missing_baseline (warn) decides it',
    );
  });

  it('shows error bars and the most regressed items; a small noisy sample is inconclusive, and on_inconclusive decides', async () => {
    fresh({ items: 8, itemNoise: 0.4 });
    const run = await onPullRequest({
      baseline_run_id: BASELINE_RUN_ID,
      delta_tolerance: '-0.02',
      confidence: '0.95',
    });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /mean delta vs baseline -?0\.\d+ \[-0\.\d+, 0\.\d+\] is inconclusive against -0\.02 \(`delta_tolerance`, 95% t interval \(n = 8\)\)/,
    );
    const comment = render(github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '');
    expect(comment.text).toMatch(
      /mean paired delta -?0\.\d+ \[-0\.\d+, 0\.\d+\] \(95% t interval \(n = 8\)\)/,
    );
    expect(comment.text).toMatch(
      /telling a difference of -?0\.\d+ apart from zero would take about \d+ items/,
    );
    expect(comment.rows).toContainEqual(['Most regressed item', 'Base', 'Run', 'Δ', 'Rationale']);
    const warned = await onPullRequest({
      baseline_run_id: BASELINE_RUN_ID,
      delta_tolerance: '-0.02',
      confidence: '0.95',
      on_inconclusive: 'warn',
    });
    expect(warned.outputs.decision).toBe('warn');
  });

  it('a large sample is decisive', async () => {
    fresh({ items: 400, itemNoise: 0.05 });
    const holds = await onPullRequest({
      baseline_run_id: BASELINE_RUN_ID,
      delta_tolerance: '-0.02',
      confidence: '0.95',
    });
    expect(holds.outputs.decision).toBe('pass');
    const breaks = await onPullRequest({
      baseline_run_id: BASELINE_RUN_ID,
      delta_tolerance: '-0.02',
      score_floor: '0.9',
      confidence: '0.95',
    });
    expect(breaks.outputs.decision).toBe('fail');
    expect(breaks.outputs.reason).toMatch(
      /mean score 0\.86\d* \[0\.8\d+, 0\.8\d+\] is all < 0\.9 \(`score_floor`, 95% t interval \(n = 400\)\)/,
    );
    expect(trulayer.violations).toEqual([]);
  });
});

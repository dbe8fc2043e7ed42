import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_RUN_ID,
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
  type FakeTruLayerOptions,
} from '../support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

let trulayer = new FakeTruLayer();
let github = new FakeGitHub();
let backend: ServedHandlers;
let api: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => trulayer.handlers());
  api = await serveHandlers(() => github.handlers());
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

async function gate(inputs: Record<string, string>, options: FakeTruLayerOptions = {}) {
  trulayer = new FakeTruLayer(options);
  github = new FakeGitHub();
  const run = await runAction({
    inputs: {
      backend: 'trulayer',
      base_url: backend.origin,
      token: FAKE_TRULAYER_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      score_floor: '0.8',
      ...inputs,
    },
    eventName: 'pull_request',
    payload: webhookExample('pull_request', 'opened'),
    env: { GITHUB_API_URL: api.origin },
  });
  expect(trulayer.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  return run;
}

describe('the bundled action on TruLayer', () => {
  it('pass: the step passes, the check succeeds under the TruLayer check name', async () => {
    const run = await gate({}, { finishAfterMs: 2_500 });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      mean_score: '0.86',
      run_id: [...trulayer.runs.keys()][1],
    });
    expect(run.outputs.dashboard_url).toMatch(/^https:\/\/app\.trulayer\.ai\/datasets\//);
    expect(github.checkRuns[0]).toMatchObject({
      name: 'TruLayer Eval Gate',
      conclusion: 'success',
    });
    expect(run.stdout).toMatch(/eval run .*: running \(\d+\/40 items\)/);
  });

  it('warn: the step passes with a warning, the check is neutral', async () => {
    const run = await gate({ on_fail: 'warn' }, { meanScore: 0.74 });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('warn');
    expect(run.annotations).toContainEqual({
      level: 'warning',
      message: `Gate passed with a warning. ${run.outputs.reason}`,
    });
    expect(github.checkRuns[0]?.conclusion).toBe('neutral');
  });

  it('block: the step fails with the gate reason', async () => {
    const run = await gate({}, { meanScore: 0.74 });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('TruLayer: mean_score 0.74 below floor 0.80');
    expect(github.checkRuns[0]?.conclusion).toBe('failure');
  });

  it('a failed eval run fails the gate with its error message', async () => {
    const run = await gate({}, { failWith: 'judge model unavailable' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      'TruLayer could not evaluate the run: the eval run failed: judge model unavailable; tried 2 times (`retry_errors`: 1).',
    );
    expect(run.outputs).toMatchObject({ errors: '1', retried: '1' });
  });

  it('baseline delta: a drop past the tolerance blocks, with the delta as an output', async () => {
    const run = await gate(
      { score_floor: '', baseline_run_id: BASELINE_RUN_ID, delta_tolerance: '-0.02' },
      { meanScore: 0.74, baselineScore: 0.8 },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', mean_delta: '-0.06' });
  });

  it('bad input stops before any backend request, and the check says what to fix', async () => {
    const run = await gate({ delta_tolerance: '-0.02' });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(
      '`delta_tolerance` compares against a baseline: set `baseline_run_id` too.',
    );
    expect(trulayer.requests).toHaveLength(0);
    expect(github.checkRuns.map((c) => [c.name, c.conclusion])).toEqual([
      ['TruLayer Eval Gate', 'failure'],
    ]);
    expect(github.checkRuns[0]?.output?.summary).toContain('set `baseline_run_id` too');
  });
});

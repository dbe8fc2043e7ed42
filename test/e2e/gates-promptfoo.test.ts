import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from '../support/promptfoo.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// A repository with a Sepurux gate and a promptfoo suite per agent: one step, one check, and
// the promptfoo entries read their own results files (no token of theirs, none inherited).
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[];
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

const CONFIG = `gates:
  - name: refund-agent
    paths: agents/refund/**
    campaign_name: refund-reliability
  - name: support-agent
    paths: agents/support/**
    backend: promptfoo
    results_file: results/support.json
  - name: billing-agent
    paths: agents/billing/**
    backend: promptfoo
    results_file: results/billing.json
    min_pass_rate: 0.7
`;

function workspace(support: keyof typeof PROMPTFOO_FILES, config = CONFIG): string {
  const dir = scratchDir('gates-promptfoo');
  mkdirSync(join(dir, '.github'), { recursive: true });
  mkdirSync(join(dir, 'results'));
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  copyFileSync(
    join(PROMPTFOO_RESULTS, PROMPTFOO_FILES[support]),
    join(dir, 'results/support.json'),
  );
  copyFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.repeats), join(dir, 'results/billing.json'));
  return dir;
}

async function gates(changed: string[], support: keyof typeof PROMPTFOO_FILES, more = {}) {
  const payload = webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
  github.seedPullFiles(payload.pull_request.number, changed);
  const run = await runAction({
    inputs: {
      base_url: servers[0]!.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      // The step's service inputs are the Sepurux entry's, never an error of a promptfoo one.
      repeats: '2',
      config: '.github/reliability-gates.yml',
      ...more,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin },
    cwd: workspace(support),
  });
  expect(github.violations).toEqual([]);
  return {
    run,
    gates: JSON.parse(run.outputs.gates ?? '[]') as {
      name: string;
      ran: boolean;
      decision: string | null;
    }[],
  };
}

describe('many gates with promptfoo entries beside a Sepurux one', () => {
  it('runs only the promptfoo suite a change reaches; its regression fails the one check', async () => {
    const { run, gates: entries } = await gates(['agents/support/prompt.md'], 'regressed');
    expect(run.outputs.decision).toBe('fail');
    expect(entries.map((e) => [e.name, e.ran, e.decision])).toEqual([
      ['refund-agent', false, null],
      ['support-agent', true, 'fail'],
      ['billing-agent', false, null],
    ]);
    // No backend call: the promptfoo entry read its file, the Sepurux entry did not run.
    expect(sepurux.requests).toHaveLength(0);
    expect(github.checkRuns[0]).toMatchObject({ name: 'Reliability gates', conclusion: 'failure' });
  });

  it('every entry on a change to the config: each promptfoo entry its own thresholds', async () => {
    const { run, gates: entries } = await gates(['.github/reliability-gates.yml'], 'pass');
    expect(entries.map((e) => [e.name, e.decision])).toEqual([
      ['refund-agent', 'pass'],
      ['support-agent', 'pass'],
      ['billing-agent', 'pass'],
    ]);
    expect(run.outputs.decision).toBe('pass');
  });

  it('a promptfoo entry with a token_env, or a results file outside the workspace, is refused before any call', async () => {
    const config = `${CONFIG}  - name: other
    backend: promptfoo
    results_file: ../elsewhere.json
    token_env: SOME_KEY
`;
    const payload = webhookExample('pull_request', 'opened') as {
      pull_request: { number: number };
    };
    const run = await runAction({
      inputs: {
        token: FAKE_TOKEN,
        base_url: servers[0]!.origin,
        project_id: FAKE_PROJECT_ID,
        github_token: FAKE_GITHUB_TOKEN,
        trace_id: 'trace-1',
        config: '.github/reliability-gates.yml',
        allowed_token_env: 'SOME_KEY',
      },
      eventName: 'pull_request',
      payload,
      env: { GITHUB_API_URL: servers[1]!.origin, SOME_KEY: 'sk-secret' },
      cwd: workspace('pass', config),
    });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain('gate `other`: `token_env` is not read by a backend that reads a file');
    expect(error).toContain('is outside the workspace');
    expect(sepurux.requests).toHaveLength(0);
    expect(github.checkRuns[0]).toMatchObject({ conclusion: 'failure' });
  });
});

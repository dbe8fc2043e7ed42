import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

/*
 * The fork-safe `workflow_run` pattern compares with the base branch as `pull_request` does
 * (CONTRACT.md, section 5): the base is that of the pull request whose head is
 * `workflow_run.head_sha`, read from GitHub; where none can be established, the baseline is
 * missing and `on_missing_baseline` decides.
 */

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

const BASE = 'ba5e'.padEnd(40, '0');
const GATED = 'c0ffee'.padEnd(40, '1');
const NUMBER = 8;

/** The step's `with:`; an empty value leaves that input out. */
const inputs = (more: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries({
      base_url: servers[0]!.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      campaign_name: 'refund-reliability',
      ...more,
    }).filter(([, value]) => value !== ''),
  );

/** Main's pass rate, then the change's: the campaign answers each run with the one set last. */
const passRate = (value: number) => {
  const campaign = sepurux.campaign('refund-reliability');
  campaign.outcome = { ...campaign.outcome, pass_rate: value };
};

/** The gate on a push to the base branch: its check on the base commit carries the record. */
const onBase = (more: Record<string, string> = {}, cwd?: string, sha = BASE) =>
  runAction({
    inputs: inputs(more),
    eventName: 'push',
    payload: {},
    env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_SHA: sha, GITHUB_RUN_ID: '9001' },
    ...(cwd ? { cwd } : {}),
  });

/** GitHub's `workflow_run` event for a run of `event` that built GATED, naming `listed` pull requests. */
const workflowRun = (event: string, listed: number[] = []) => {
  const example = webhookExample('workflow_run', 'completed');
  return {
    ...example,
    workflow_run: {
      ...(example.workflow_run as object),
      event,
      head_sha: GATED,
      pull_requests: listed.map((number) => ({ number, head: { sha: GATED } })),
    },
  };
};

/** The fork-safe gate: on `workflow_run`, with the number a fork's artifact handed over (or none). */
const onWorkflowRun = (
  more: Record<string, string>,
  options: { event?: string; listed?: number[]; cwd?: string } = {},
) =>
  runAction({
    inputs: inputs(more),
    eventName: 'workflow_run',
    payload: workflowRun(options.event ?? 'pull_request', options.listed),
    env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_RUN_ID: '9002' },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });

describe('the fork-safe workflow_run compares with the base branch', () => {
  it('fails a drop below the base verdict, as pull_request does, naming the base commit', async () => {
    passRate(0.99);
    expect((await onBase()).outputs.decision).toBe('pass');
    passRate(0.8);
    github.seedPullRequest(NUMBER, GATED, undefined, BASE);
    const payload = webhookExample('pull_request', 'opened') as {
      pull_request: { number: number; head: { sha: string }; base: { sha: string } };
    };
    payload.pull_request.number = NUMBER;
    payload.pull_request.head.sha = GATED;
    payload.pull_request.base.sha = BASE;
    const onPullRequest = await runAction({
      inputs: inputs({ max_pass_rate_drop: '0.05' }),
      eventName: 'pull_request',
      payload,
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_RUN_ID: '9003' },
    });
    expect(onPullRequest.outputs).toMatchObject({ decision: 'fail', baseline_sha: BASE });
    // A fork's run: GitHub lists no pull request, the artifact hands its number over.
    const handedOver = await onWorkflowRun({
      max_pass_rate_drop: '0.05',
      pull_request_number: String(NUMBER),
    });
    expect(handedOver.exitCode).toBe(1);
    expect(handedOver.outputs).toMatchObject({
      decision: 'fail',
      baseline_sha: BASE,
      baseline_decision: 'pass',
    });
    expect(handedOver.outputs.reason).toContain('drop');
    expect(github.checkRuns.at(-1)).toMatchObject({ head_sha: GATED, conclusion: 'failure' });
    // A run in the base repository: GitHub lists the pull request itself.
    const listed = await onWorkflowRun({ max_pass_rate_drop: '0.05' }, { listed: [NUMBER] });
    expect(listed.outputs).toMatchObject({ decision: 'fail', baseline_sha: BASE });
    expect(github.violations).toEqual([]);
  });

  it('with no verdict on the base commit, on_missing_baseline: fail fails', async () => {
    github.seedPullRequest(NUMBER, GATED, undefined, BASE);
    const run = await onWorkflowRun({
      max_pass_rate_drop: '0.05',
      on_missing_baseline: 'fail',
      pull_request_number: String(NUMBER),
    });
    expect([run.exitCode, run.outputs.decision]).toEqual([1, 'fail']);
    expect(run.outputs.baseline_sha).toBe('');
    expect(run.outputs.reason).toContain(
      `no baseline: the base commit ${BASE.slice(0, 12)} has no verdict of "Sepurux Reliability Gate" from this gate`,
    );
  });

  it('a handed-over number whose head is not the commit gated gets the missing-baseline decision, saying why', async () => {
    passRate(0.99);
    await onBase();
    passRate(0.8);
    // The artifact points at another pull request, onto the same base: its base is not trusted.
    github.seedPullRequest(7, 'd'.repeat(40), undefined, BASE);
    const handOver = { max_pass_rate_drop: '0.05', pull_request_number: '7' };
    const failed = await onWorkflowRun({ ...handOver, on_missing_baseline: 'fail' });
    expect([failed.exitCode, failed.outputs.decision]).toEqual([1, 'fail']);
    expect(failed.outputs.baseline_sha).toBe('');
    expect(failed.outputs.reason).toContain(
      'no baseline: pull request #7 (handed over as `pull_request_number`) gives no base commit to compare with: its head is dddddddddddd, not the commit this workflow_run gated',
    );
    const warned = await onWorkflowRun(handOver);
    expect(warned.outputs.decision).toBe('warn');
    // No number at all on a pull request's run: missing too, never uncompared.
    const unnamed = await onWorkflowRun({
      max_pass_rate_drop: '0.05',
      on_missing_baseline: 'fail',
    });
    expect(unnamed.outputs.decision).toBe('fail');
    expect(unnamed.outputs.reason).toContain(
      'no baseline: this workflow_run names no pull request whose base to compare with',
    );
  });

  it('a closed pull request onto another branch, handed over from the artifact, is no baseline: missing, said, and not commented on', async () => {
    // Main holds 0.99, the neglected `legacy` branch 0.50; the change brings 0.60.
    passRate(0.99);
    await onBase();
    const LEGACY = 'a1e9ac'.padEnd(40, '2');
    passRate(0.5);
    expect((await onBase({}, undefined, LEGACY)).outputs.decision).toBe('pass');
    passRate(0.6);
    // The fork's own pull request onto main, and a second one from the same branch onto legacy, closed.
    github.seedPullRequest(NUMBER, GATED, undefined, BASE);
    github.seedPullRequest(9, GATED, { merged: false }, LEGACY, 'legacy');
    const handOver = { max_pass_rate_drop: '0.05', pull_request_number: '9' };
    const failed = await onWorkflowRun({ ...handOver, on_missing_baseline: 'fail' });
    expect([failed.exitCode, failed.outputs.decision]).toEqual([1, 'fail']);
    expect(failed.outputs.baseline_sha).toBe('');
    expect(failed.outputs.reason).toContain(
      'no baseline: pull request #9 (handed over as `pull_request_number`) gives no base commit to compare with: it is closed',
    );
    const warned = await onWorkflowRun(handOver);
    expect(warned.outputs.decision).toBe('warn');
    expect(warned.outputs.baseline_sha).toBe('');
    // The comment does not go on a closed pull request either; the step says why.
    expect(github.comments.get(9) ?? []).toEqual([]);
    expect(warned.annotations.map((a) => a.message).join('\n')).toContain(
      'Not commenting on pull request #9: it is closed',
    );
    // The pull request onto main, handed over, still compares: the change's drop from 0.99 fails.
    const honest = await onWorkflowRun({ ...handOver, pull_request_number: String(NUMBER) });
    expect(honest.outputs).toMatchObject({ decision: 'fail', baseline_sha: BASE });
    expect(github.violations).toEqual([]);
  });

  it('an open pull request onto a branch other than the default one is no baseline: missing, said; the comment still goes on it', async () => {
    const LEGACY = 'abc'.padEnd(40, '3');
    passRate(0.5);
    await onBase({}, undefined, LEGACY);
    passRate(0.6);
    github.seedPullRequest(NUMBER, GATED, undefined, LEGACY, 'legacy');
    const run = await onWorkflowRun({
      max_pass_rate_drop: '0.05',
      on_missing_baseline: 'fail',
      pull_request_number: String(NUMBER),
    });
    expect([run.exitCode, run.outputs.decision]).toEqual([1, 'fail']);
    expect(run.outputs.baseline_sha).toBe('');
    expect(run.outputs.reason).toContain(
      `no baseline: pull request #${NUMBER} (handed over as \`pull_request_number\`) gives no base commit to compare with: it targets \`legacy\`, not the default branch \`main\`: the fork-safe gate compares only with the default branch`,
    );
    expect(github.comments.get(NUMBER)?.length).toBe(1);
    // GitHub listing it itself (a run in the base repository) changes nothing.
    const listed = await onWorkflowRun(
      { max_pass_rate_drop: '0.05', on_missing_baseline: 'fail' },
      { listed: [NUMBER] },
    );
    expect(listed.outputs.decision).toBe('fail');
    expect(listed.outputs.reason).toContain('it targets `legacy`, not the default branch `main`');
    expect(github.violations).toEqual([]);
  });

  it('a workflow_run of a push with no pull request is a base-branch run, as push is: nothing to compare', async () => {
    const run = await onWorkflowRun(
      { max_pass_rate_drop: '0.05', on_missing_baseline: 'fail' },
      { event: 'push' },
    );
    expect(run.outputs.decision).toBe('pass');
    expect(run.outputs.reason).not.toContain('baseline');
    expect(github.checkRuns.at(-1)).toMatchObject({ head_sha: GATED, conclusion: 'success' });
  });

  it('many gates (config) compare each entry with its own verdict on the base', async () => {
    const cwd = scratchDir('workflow-run-gates');
    mkdirSync(join(cwd, '.github'), { recursive: true });
    writeFileSync(
      join(cwd, '.github/reliability-gates.yml'),
      `gates:
  - name: support-agent
    paths: agents/support/**
    campaign_name: refund-reliability
  - name: checkout-agent
    paths: agents/checkout/**
    campaign_name: checkout-regression
`,
    );
    const config = { config: '.github/reliability-gates.yml', campaign_name: '' };
    passRate(0.99);
    expect((await onBase(config, cwd)).outputs.gates_run).toBe('2');
    passRate(0.8);
    github.seedPullRequest(NUMBER, GATED, undefined, BASE);
    const run = await onWorkflowRun(
      { ...config, max_pass_rate_drop: '0.05', pull_request_number: String(NUMBER) },
      { cwd },
    );
    expect(run.outputs.decision).toBe('fail');
    const report = JSON.parse(readFileSync(run.outputs.report_file!, 'utf8'));
    const entry = (name: string) =>
      report.gates.entries.find((e: { name: string }) => e.name === name).verdict;
    expect(entry('support-agent').decision).toBe('fail');
    expect(entry('support-agent').baseline.record).toMatchObject({ headSha: BASE });
    expect(entry('support-agent').reason).toContain('drop');
    expect(entry('checkout-agent').baseline.record).toMatchObject({ headSha: BASE });
    expect(github.violations).toEqual([]);
  });
});

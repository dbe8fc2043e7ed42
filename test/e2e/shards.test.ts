import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { render } from '../support/render.js';
import { type ActionRun, runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';
import { encodeRecord } from '../../src/core/baseline/encode.js';
import { scratchDir } from '../support/scratch.js';

// A matrix of three legs, then one aggregate step: one required check, one comment.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[];
let workspace: string;
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; head: { sha: string } };
};
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(async () => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
  workspace = scratchDir('matrix');
});
afterEach(async () => rm(workspace, { recursive: true, force: true }));
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const env = () => ({ GITHUB_API_URL: servers[1]!.origin });
const common = () => ({
  base_url: servers[0]!.origin,
  token: FAKE_TOKEN,
  project_id: FAKE_PROJECT_ID,
  github_token: FAKE_GITHUB_TOKEN,
  trace_id: 'trace-1',
});

/** One matrix leg; its report file is "uploaded" to reports/gate-<shard>/ as actions/upload-artifact + download-artifact would. */
async function leg(
  shard: string,
  campaign: string,
  more: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction({
    inputs: { ...common(), shard, campaign_name: campaign, ...more },
    eventName: 'pull_request',
    payload,
    env: env(),
  });
  const dir = join(workspace, 'reports', `gate-${shard}`);
  await mkdir(dir, { recursive: true });
  if (run.outputs.report_file) await cp(run.outputs.report_file, join(dir, 'verdict.json'));
  return run;
}

const aggregate = (inputs: Record<string, string> = {}) =>
  runAction({
    inputs: {
      github_token: FAKE_GITHUB_TOKEN,
      aggregate: 'reports/**/*.json',
      expected_shards: '3',
      ...inputs,
    },
    eventName: 'pull_request',
    payload,
    env: { ...env(), GITHUB_WORKSPACE: workspace },
    cwd: workspace,
  });

describe('a matrix of shards and one aggregate', () => {
  it('three legs each start their own evaluation and post nothing; the aggregate posts one check and one comment with a row per shard', async () => {
    const legs = [
      await leg('refunds', 'refund-reliability'),
      await leg('support', 'refund-reliability'),
      await leg('billing', 'checkout-regression'),
    ];
    expect(legs.map((l) => l.exitCode)).toEqual([0, 0, 1]);
    // Same run, attempt, job, step, campaign and trace for two legs: the shard keeps them apart.
    expect(sepurux.runs.size).toBe(3);
    expect(
      new Set(sepurux.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']))
        .size,
    ).toBe(3);
    expect(github.checkRuns).toHaveLength(0);
    expect(github.comments.size).toBe(0);
    expect(legs[0]!.stdout).toContain('This is one shard of a matrix');

    const requestsBefore = sepurux.requests.length;
    const run = await aggregate();
    expect(sepurux.requests).toHaveLength(requestsBefore);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toBe(
      '3 shards (billing fail, refunds pass, support pass): the worst is billing: Sepurux decided fail; unsafe attempts 1 > 0 (`max_unsafe`).',
    );
    expect(run.outputs).toMatchObject({
      unsafe_attempts: '1',
      failures: '5',
      trace_count: '3',
      pass_rate: '0.8533',
    });
    expect(github.checkRuns).toEqual([
      expect.objectContaining({
        name: 'Sepurux Reliability Gate',
        head_sha: payload.pull_request.head.sha,
        status: 'completed',
        conclusion: 'failure',
      }),
    ]);
    const comments = github.comments.get(payload.pull_request.number) ?? [];
    expect(comments).toHaveLength(1);
    const seen = render(comments[0]!.body);
    expect(
      seen.rows
        .filter((row) => ['refunds', 'support', 'billing'].includes(row[0] ?? ''))
        .map((row) => row.slice(0, 3)),
    ).toEqual([
      ['billing', '❌ fail', '0.72'],
      ['refunds', '✅ pass', '0.92'],
      ['support', '✅ pass', '0.92'],
    ]);
    expect(github.violations).toEqual([]);
  });

  it('aggregates legs that ran repeats (require_all_repeats included), and catches a forged pass^k', async () => {
    for (const shard of ['a', 'b'])
      await leg(shard, 'refund-reliability', { repeats: '2', require_all_repeats: 'true' });
    const run = await aggregate({ expected_shards: '2' });
    expect(run.outputs.reason).toBe('2 shards (a pass, b pass): all pass.');
    const file = join(workspace, 'reports', 'gate-b', 'verdict.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"passed": 2', '"passed": 1'));
    const forged = await aggregate({ expected_shards: '2' });
    expect(forged.outputs.reason).toContain(
      '(shard b) contradicts itself: threshold `require_all_repeats` says holds on repeats that say otherwise',
    );
  });

  it("compares the pooled verdict with the base commit's, as a single gate does", async () => {
    const base = (payload.pull_request as unknown as { base: { sha: string } }).base.sha;
    const record = encodeRecord(
      {
        decision: 'pass',
        reason: '',
        outcome: 'evaluated',
        backend: 'Sepurux',
        ids: {},
        figures: { pass_rate: 0.95, trace_count: 3 },
        thresholds: [],
        topFailingTools: [],
        durationMs: 1,
      },
      'Sepurux Reliability Gate',
      base,
    );
    github.seedCheckRun({
      name: 'Sepurux Reliability Gate',
      head_sha: base,
      status: 'completed',
      conclusion: 'success',
      completed_at: new Date().toISOString(),
      output: { text: record },
    });
    await leg('refunds', 'refund-reliability');
    await leg('support', 'refund-reliability');
    await leg('billing', 'refund-reliability');
    const run = await aggregate({ max_pass_rate_drop: '0.02' });
    expect(run.outputs).toMatchObject({ decision: 'fail', baseline_sha: base, pass_rate: '0.92' });
    expect(run.outputs.reason).toBe(
      '3 shards (billing pass, refunds pass, support pass): all pass; against the base branch: pass rate drop 0.03 > 0.02 (`max_pass_rate_drop`).',
    );
  });

  it('takes a base verdict of other campaigns as not comparable: the pooled verdict names what its shards evaluated', async () => {
    const base = (payload.pull_request as unknown as { base: { sha: string } }).base.sha;
    const record = encodeRecord(
      {
        evaluated: { campaign: 'another-campaign' },
        decision: 'pass',
        reason: '',
        outcome: 'evaluated',
        backend: 'Sepurux',
        ids: {},
        figures: { pass_rate: 0.95, trace_count: 3 },
        thresholds: [],
        topFailingTools: [],
        durationMs: 1,
      },
      'Sepurux Reliability Gate',
      base,
    );
    github.seedCheckRun({
      name: 'Sepurux Reliability Gate',
      head_sha: base,
      status: 'completed',
      conclusion: 'success',
      completed_at: new Date().toISOString(),
      output: { text: record },
    });
    await leg('refunds', 'refund-reliability');
    await leg('support', 'refund-reliability');
    await leg('billing', 'refund-reliability');
    const run = await aggregate({ max_pass_rate_drop: '0.02' });
    expect(run.outputs.decision).toBe('warn');
    expect(run.outputs.reason).toContain(
      `is of another campaign (another-campaign there, ${sepurux.campaign('refund-reliability').id} here): not comparable`,
    );
  });

  it('checks its own thresholds on the pooled figures', async () => {
    await leg('a', 'refund-reliability');
    await leg('b', 'refund-reliability');
    await leg('c', 'refund-reliability');
    expect((await aggregate({ min_pass_rate: '0.9' })).outputs.decision).toBe('pass');
    const strict = await aggregate({ min_pass_rate: '0.95' });
    expect(strict.outputs.reason).toBe(
      '3 shards (a pass, b pass, c pass): pooled pass rate 0.92 < 0.95 (`min_pass_rate`).',
    );
    expect(strict.exitCode).toBe(1);
  });

  it.each([
    [
      'a missing shard (a leg that crashed)',
      async (): Promise<void> => undefined,
      { expected_shards: '4' },
      '3 of 4 expected shards reported (a, b, c): 1 missing',
    ],
    [
      'an extra shard',
      async (): Promise<void> => undefined,
      { expected_shards: '2' },
      '3 shards reported (a, b, c), more than the 2 expected',
    ],
    [
      'a stale report, for another commit',
      async (): Promise<void> =>
        void (await leg('d', 'refund-reliability', { head_sha: 'f'.repeat(40) })),
      { expected_shards: '4' },
      'report verdict.json (shard d) judged commit ffffffffffff, not',
    ],
    [
      'a report for another check',
      async (): Promise<void> =>
        void (await leg('d', 'refund-reliability', { check_name: 'Other gate' })),
      { expected_shards: '4' },
      'report verdict.json (shard d) is for check "Other gate", not "Sepurux Reliability Gate"',
    ],
    [
      'a tampered report that says pass',
      async (): Promise<void> => {
        await leg('d', 'checkout-regression');
        const file = join(workspace, 'reports', 'gate-d', 'verdict.json');
        await writeFile(
          file,
          (await readFile(file, 'utf8')).replace('"decision": "fail"', '"decision": "pass"'),
        );
      },
      { expected_shards: '4' },
      'report verdict.json (shard d) contradicts itself: its decision is pass where its backend decision and thresholds make fail; it was changed after the gate wrote it',
    ],
    [
      'an unreadable report',
      async (): Promise<void> => {
        await mkdir(join(workspace, 'reports', 'gate-d'), { recursive: true });
        await writeFile(
          join(workspace, 'reports', 'gate-d', 'verdict.json'),
          '{"version": 1, "decision": ',
        );
      },
      { expected_shards: '4' },
      'report verdict.json is not valid JSON',
    ],
    [
      'a report of an unknown version',
      async (): Promise<void> => {
        await leg('d', 'refund-reliability');
        const file = join(workspace, 'reports', 'gate-d', 'verdict.json');
        await writeFile(
          file,
          (await readFile(file, 'utf8')).replace('"version": 1', '"version": 9'),
        );
      },
      { expected_shards: '4' },
      'report verdict.json has format version 9, not 1',
    ],
  ] as const)('fails closed on %s, naming it', async (_what, spoil, inputs, said) => {
    await leg('a', 'refund-reliability');
    await leg('b', 'refund-reliability');
    await leg('c', 'refund-reliability');
    await spoil();
    const run = await aggregate(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(/^The aggregate fails closed: /);
    expect(run.outputs.reason).toContain(said);
    expect(github.checkRuns.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a shard that could not evaluate: the aggregate says so, counts its errors, and never pools its figures', async () => {
    await leg('a', 'refund-reliability');
    await leg('b', 'refund-reliability');
    // Leg c's batch stays short of coverage on every attempt: no verdict, after its retry.
    const short = await leg('c', 'partial-batch', { trace_id: '' });
    expect(short.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '1' });
    const run = await aggregate();
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '1' });
    expect(run.outputs.reason).toContain('the worst is c: Sepurux could not evaluate the run');
    // Two evaluated shards of one trace each: the short batch's 3 traces are not in the pool.
    expect(run.outputs.trace_count).toBe('2');
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.outcome).toBe('error');
    expect(report.attempts.errors.map((e: { run: string }) => e.run)).toEqual(['c: run', 'c: run']);
  });

  it('refuses a shard report edited to say evaluated and pass while it lists an error left', async () => {
    await leg('a', 'refund-reliability');
    await leg('b', 'refund-reliability');
    await leg('c', 'partial-batch', { trace_id: '' });
    const file = join(workspace, 'reports', 'gate-c', 'verdict.json');
    const report = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(
      file,
      JSON.stringify({
        ...report,
        outcome: 'evaluated',
        decision: 'pass',
        backendDecision: 'pass',
      }),
    );
    const run = await aggregate();
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(/^The aggregate fails closed: /);
    expect(run.outputs.reason).toContain('lists 1 run left without a verdict');
  });

  it('refuses inputs an aggregate does not read, before reading anything', async () => {
    const run = await aggregate({ trace_file: 'trace.json' });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toBe(
      'Input `trace_file` is not read by an `aggregate` step, which makes no backend call; remove it (thresholds are fine: they are checked on the pooled figures).',
    );
    const two = await aggregate({ trace_file: 'trace.json', min_pass_rate: '85' });
    expect(two.annotations[0]?.message.split('\n')).toEqual([
      'Inputs are invalid:',
      '- `trace_file` is not read by an `aggregate` step, which makes no backend call; remove it (thresholds are fine: they are checked on the pooled figures).',
      '- `min_pass_rate` is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%).',
    ]);
    const noCount = await aggregate({ expected_shards: '' });
    expect(noCount.annotations[0]?.message).toMatch(
      /^Input `expected_shards` is required with `aggregate`/,
    );
  });
});

import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binomialOutcome,
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  type FakeOutcome,
  FakeSepurux,
  type FakeSepuruxOptions,
  seededRandom,
} from '../support/fake-sepurux.js';
import { scratchDir } from '../support/scratch.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { ENGINES, render } from '../support/render.js';
import { runAction, runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { gateOnPullRequest, pullRequestPayload } from '../support/pull-request.js';

// Repeats through the bundled action and command line, against a noisy fake agent.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

function noisy(rate: number, seed: number) {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
  const campaign = sepurux.campaign('refund-reliability');
  campaign.draw = binomialOutcome(rate, 20, seededRandom(seed));
  campaign.decidesFromThresholds = true;
  campaign.finishAfterMs = 300;
}

const payload = pullRequestPayload;
const gate = (inputs: Record<string, string>, pr = payload()) =>
  gateOnPullRequest({ sepurux: servers[0]!.origin, github: servers[1]!.origin }, inputs, pr);

describe('repeats on the bundled action', () => {
  it('runs five, judges the pooled pass rate, sets repeats_run and repeats_passed, and shows every run', async () => {
    noisy(0.9, 3);
    const pr = payload();
    const run = await gate({ repeats: '5' }, pr);
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(5);
    expect(run.outputs).toMatchObject({ decision: 'pass', repeats_run: '5' });
    expect(Number(run.outputs.repeats_passed)).toBeLessThan(5);
    expect(run.outputs.reason).toMatch(
      /^Sepurux, 5 repeats pooled: all 2 thresholds hold; \d of 5 repeats passed on their own\.$/,
    );
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.repeats.rows).toHaveLength(5);
    const body = github.comments.get(pr.pull_request.number)?.[0]?.body ?? '';
    for (const engine of ENGINES) {
      const seen = render(body, engine);
      expect(seen.text, engine).toMatch(
        /Repeats \(5\): \d of 5 passed on their own; pass\^5 does not hold\. Stopped: all 5 repeats ran\./,
      );
      expect(seen.text, engine).toMatch(
        /Across the repeats: pass rate 0\.\d+ \[0\.\d+, (0\.\d+|1)\] \(95% t interval \(n = 5\)\)/,
      );
      expect(seen.text, engine).toContain(
        'What the sample can see: min_pass_rate: this sample tells a shortfall of',
      );
      expect(
        seen.rows.filter((row) => /^\d$/.test(row[0] ?? '')),
        engine,
      ).toHaveLength(5);
    }
  });

  it('repeats: auto stops early on a clear agent and says why', async () => {
    noisy(0.99, 5);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.outputs.decision).toBe('pass');
    expect(Number(run.outputs.repeats_run)).toBeLessThan(5);
    expect(run.outputs.reason).toContain(
      '`repeats: auto`; the sequential test decided every threshold after',
    );
  });

  it('an input error names the repeat input', async () => {
    noisy(0.9, 1);
    const run = await gate({ repeats: '21' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'Input `repeats` is "21"; write a whole number from 1 to 20, or `auto`.',
    );
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('repeats on the command line', () => {
  it('--repeats 3 pools three runs', async () => {
    noisy(0.9, 4);
    const run = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
        '--min-pass-rate',
        '0.85',
        '--repeats',
        '3',
      ],
      {
        GATE_TOKEN: FAKE_TOKEN,
        GATE_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_BASE_URL: servers[0]!.origin,
      },
    );
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^(pass|fail): Sepurux, 3 repeats pooled/);
    expect(run.stderr).toContain('[repeat 3] ');
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(3);
  });
});

/** A fresh fake whose campaign's runs answer `draws` in turn (the last one again after), each with its own lies. */
function drawing(draws: Partial<FakeOutcome>[], options: FakeSepuruxOptions = {}) {
  sepurux = new FakeSepurux(options);
  github = new FakeGitHub();
  const campaign = sepurux.campaign('refund-reliability');
  let drawn = 0;
  campaign.draw = () => draws[Math.min(drawn++, draws.length - 1)] ?? {};
  campaign.decidesFromThresholds = true;
  return campaign;
}

/** A run at `rate` over `traces` traces (the fake's answer says so), no unsafe attempt. */
const traces = (rate: number, count: number): Partial<FakeOutcome> => ({
  pass_rate: rate,
  failures: 0,
  unsafe_attempts: 0,
  overrides: { trace_count: count },
});

describe('repeats against a hostile backend', () => {
  it('repeats of different sizes fail closed, fixed or auto: four tiny runs at 0.95 beside one of 1001 traces at 0.70 are not one evaluation repeated', async () => {
    const data = [
      traces(0.95, 3),
      traces(0.95, 3),
      traces(0.95, 3),
      traces(0.95, 3),
      traces(0.7, 1001),
    ];
    drawing(data);
    const fixed = await gate({ repeats: '5', min_pass_rate: '0.8' });
    expect(fixed.outputs.decision).toBe('fail');
    expect(fixed.outputs.reason).toMatch(
      /^Repeat 5 of 5 reports trace_count 1001 where repeat 1 reported 3: repeats of one evaluation are the same size/,
    );
    drawing(data);
    const auto = await gate({
      repeats: 'auto',
      min_repeats: '5',
      min_pass_rate: '0.8',
      poll_interval: '1',
    });
    expect(auto.exitCode).toBe(1);
    expect(auto.outputs.decision).toBe('fail');
    expect(auto.outputs.reason).toContain('repeats of one evaluation are the same size');
  });

  it('one run handed out for five repeats fails closed, naming the run, rather than pooling 18/20 into 90/100', async () => {
    const inputs = { min_pass_rate: '0.8', confidence: '0.95' };
    drawing([traces(0.9, 20)]);
    const one = await gate(inputs);
    expect(one.outputs.decision).toBe('fail'); // 18/20's interval straddles 0.8
    drawing([traces(0.9, 20)], { oneRunForEveryKey: true });
    const run = await gate({ ...inputs, repeats: '5' });
    const posts = sepurux.requestsTo('POST', '/v1/ci/runs');
    expect(new Set(posts.map((p) => p.headers['idempotency-key'])).size).toBe(5);
    expect(sepurux.runs.size).toBe(1);
    const [only] = [...sepurux.runs.keys()];
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toBe(
      `Repeat 2 of 5 was answered with run_id "${only}", the run repeat 1 evaluated: one run pooled twice is not two samples, so the gate fails closed.`,
    );
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('repeats: auto on an agent far above the bound stops at once: every run at 1.0 of 20 attempts (one trace) passes after 2 runs, not 5', async () => {
    // 1.0 × 1 trace is a whole number, but it is not one pass of one trial: the runs' values decide.
    const sepuruxRun = { pass_rate: 1, failures: 0, unsafe_attempts: 0 };
    drawing([sepuruxRun]);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', pass_rate: '1' });
    expect(Number(run.outputs.repeats_run)).toBeLessThanOrEqual(2);
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').length).toBeLessThanOrEqual(2);
    expect(run.outputs.reason).toMatch(
      /`repeats: auto`; the sequential test decided every threshold after [12] repeats?\)/,
    );
    expect(run.outputs.reason).not.toContain('the budget');
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.repeats.sequential[0]).toMatchObject({ input: 'min_pass_rate', call: 'holds' });
    expect(report.repeats.decidedAtBudget).toBeUndefined();
  });

  it('repeats: auto on an agent far below the bound fails after at most 2 runs: every run at 0.5', async () => {
    drawing([{ pass_rate: 0.5, failures: 10, unsafe_attempts: 0 }]);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', pass_rate: '0.5' });
    expect(Number(run.outputs.repeats_run)).toBeLessThanOrEqual(2);
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').length).toBeLessThanOrEqual(2);
    expect(run.outputs.reason).toContain('pass rate 0.5 < 0.85 (`min_pass_rate`)');
    expect(run.outputs.reason).toMatch(
      /the sequential test decided every threshold after [12] repeats?\)/,
    );
  });

  it('repeats: auto fails an agent far below the bound after one run, where the run does not say its trials: one value may call a fail, never a pass', async () => {
    drawing([{ pass_rate: 0.5, failures: 10, unsafe_attempts: 0 }]);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', repeats_run: '1', pass_rate: '0.5' });
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(1);
    expect(run.outputs.reason).toContain(
      'the sequential test decided every threshold after 1 repeat)',
    );
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.repeats.sequential[0]).toMatchObject({ call: 'breaks', on: 'values' });
    // The same run far above the bound is no pass on its own: it takes a second.
    drawing([{ pass_rate: 1, failures: 0, unsafe_attempts: 0 }]);
    const above = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(above.outputs).toMatchObject({ decision: 'pass', repeats_run: '2' });
  });

  it("repeats: auto with the trials said (19 and 20 of 20 traces) is Wald's test on the pooled passes, and stops after 2", async () => {
    drawing([traces(0.95, 20), traces(1, 20)]);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.outputs).toMatchObject({ decision: 'pass', repeats_run: '2' });
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.repeats.sequential[0]).toMatchObject({
      input: 'min_pass_rate',
      call: 'holds',
      on: 'counts',
    });
  });

  it("margin must keep threshold ± margin inside the figure's range: an input error before any call", async () => {
    drawing([traces(0.6, 1)]);
    const run = await gate({ repeats: 'auto', margin: '0.8', min_pass_rate: '0.8' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'Input `margin` 0.8 with `min_pass_rate: 0.8` would test "at least 1.6" against "at most 0", outside the pass rate\'s range (a fraction from 0 to 1): threshold ± margin must stay strictly inside it; write a `margin` below 0.2 (e.g. `margin: 0.1`).',
    );
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('a repeats: auto report read back', () => {
  // 1200 of 1500 passes: the pooled rate meets 0.8, and Wald's test (0.85 against 0.75) calls it broken, which decides.
  const AT_THE_BOUND = traces(0.8, 1500);

  it('is checked by the rule that decided it: an aggregate step takes it as written, and so does --baseline-report', async () => {
    drawing([AT_THE_BOUND]);
    const workspace = scratchDir('auto-report');
    const written = await gate({ repeats: 'auto', min_pass_rate: '0.8', shard: 'main' });
    expect(written.outputs).toMatchObject({ decision: 'fail', pass_rate: '0.8', repeats_run: '1' });
    await mkdir(join(workspace, 'reports'), { recursive: true });
    const file = join(workspace, 'reports', 'main.json');
    await cp(written.outputs.report_file!, file);

    const aggregate = await runAction({
      inputs: {
        github_token: FAKE_GITHUB_TOKEN,
        aggregate: 'reports/*.json',
        expected_shards: '1',
      },
      eventName: 'pull_request',
      payload: payload(),
      env: { GITHUB_API_URL: servers[1]!.origin, GITHUB_WORKSPACE: workspace },
      cwd: workspace,
    });
    // Soft: the command line below is judged even where the aggregate is wrong.
    expect.soft(aggregate.outputs.reason).not.toContain('contradicts itself');
    expect.soft(aggregate.outputs).toMatchObject({ decision: 'fail', pass_rate: '0.8' });
    expect.soft(aggregate.outputs.reason).toMatch(/^1 shards \(main fail\): the worst is main: /);

    // The head evaluated later: 0.695, a drop of 0.105 from the report's 0.8.
    sepurux.campaign('refund-reliability').draw = () => traces(0.695, 1000);
    const cli = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
        '--max-pass-rate-drop',
        '0.1',
        '--baseline-report',
        file,
      ],
      {
        GATE_TOKEN: FAKE_TOKEN,
        GATE_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_BASE_URL: servers[0]!.origin,
      },
    );
    expect(cli.stdout).not.toContain('nothing was compared');
    expect(cli.stdout.trim().split('\n').at(-1)).toContain(
      'against the base branch: pass rate drop 0.105 > 0.1 (--max-pass-rate-drop)',
    );
    expect(cli.exitCode).toBe(1);

    // What it says and records: the point value meets the bound, the test broke it.
    expect(written.outputs.reason).toContain(
      'pass rate 0.8 ≥ 0.8 (`min_pass_rate`), but the sequential test calls it broken (`repeats: auto`)',
    );
    expect(aggregate.outputs.reason).toContain('the sequential test calls it broken');
    const report = JSON.parse(await readFile(file, 'utf8'));
    expect(report.thresholds[0]).toMatchObject({
      holds: false,
      actual: 0.8,
      decidedBy: { rule: 'sequential', call: 'breaks' },
    });
  });
});

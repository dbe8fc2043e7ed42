import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FakeGitHub } from '../support/fake-github.js';
import { ENGINES, render } from '../support/render.js';
import { runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { gateOnPullRequest, pullRequestPayload } from '../support/pull-request.js';

// Errors apart from failures (contract section 10), through the bundled action and command line.
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

/** Fresh fakes whose `n`th new Sepurux run (1-based) ends `failed` when `fails(n)`. */
function failing(fails: (n: number) => boolean) {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
  let n = 0;
  sepurux.campaign('refund-reliability').draw = () => (fails(++n) ? { status: 'failed' } : {});
}

const payload = pullRequestPayload;
const gate = (inputs: Record<string, string>, pr = payload()) =>
  gateOnPullRequest({ sepurux: servers[0]!.origin, github: servers[1]!.origin }, inputs, pr);

describe('errors on the bundled action', () => {
  it('a run that failed on its first attempt only: started again, the gate passes, and the comment says so', async () => {
    failing((n) => n === 1);
    const pr = payload();
    const run = await gate({}, pr);
    expect(run.outputs).toMatchObject({ decision: 'pass', errors: '0', retried: '1' });
    expect(run.outputs.run_id).toBe([...sepurux.runs.keys()][1]);
    expect(github.checkRuns.at(-1)).toMatchObject({ conclusion: 'success' });
    const body = github.comments.get(pr.pull_request.number)?.[0]?.body ?? '';
    expect(render(body).text).toContain(
      'Started again: 1 run ended without a verdict and was run again (retry_errors: 1 per run); only the new run is judged.',
    );
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.attempts.errors).toEqual([
      expect.objectContaining({ run: 'run', attempt: 1, runId: [...sepurux.runs.keys()][0] }),
    ]);
  });

  it('a run that fails every attempt: "could not evaluate" in the reason, the check title and the comment, never a regression', async () => {
    failing(() => true);
    const pr = payload();
    const run = await gate({ retry_errors: '2' }, pr);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '2' });
    expect(run.outputs.reason).toMatch(/^Sepurux could not evaluate the run: /);
    const check = github.checkRuns.at(-1);
    expect(check).toMatchObject({ conclusion: 'failure' });
    expect(check?.output?.title).toContain('could not evaluate');
    const body = github.comments.get(pr.pull_request.number)?.[0]?.body ?? '';
    for (const engine of ENGINES) {
      const seen = render(body, engine);
      expect(seen.text, engine).toContain('could not evaluate the run');
      expect(seen.text, engine).toContain(
        'Could not evaluate: 1 run without a verdict after its retries (retry_errors: 2 per run; 2 retries in all).',
      );
      // One row per attempt, each with its own run id.
      const ids = seen.rows.filter((row) => row[0] === 'run').map((row) => row[2]);
      expect(ids, engine).toEqual([...sepurux.runs.keys()]);
      expect(seen.text, engine).not.toMatch(/regressed|Failing tools|newly failing/i);
    }
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report).toMatchObject({ outcome: 'error', attempts: { started: 3, retried: 2 } });
    expect(report.attempts.errors).toHaveLength(3);
  });

  it('a batch short of coverage could not evaluate, and was started again as a new batch', async () => {
    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const run = await gate({ trace_id: '', campaign_name: 'partial-batch', min_pass_rate: '' });
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '1' });
    expect(run.outputs.reason).toContain(
      "could not evaluate the run: the batch ran 66.7% of the campaign's scenarios, below `min_coverage` (100%)",
    );
    expect(sepurux.batches.size).toBe(2);
  });

  it('repeats: auto: a repeat without a verdict after its retries is no sample, and while the test is undecided the next repeat takes its place; the gate decides', async () => {
    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const campaign = sepurux.campaign('refund-reliability');
    campaign.decidesFromThresholds = true;
    // Run 1 at 0.90 (one value never passes), runs 2 and 3 (repeat 2 and its retry) fail, run 4 at 0.95.
    const runs = [
      { pass_rate: 0.9 },
      { status: 'failed' },
      { status: 'failed' },
      { pass_rate: 0.95 },
    ];
    let n = 0;
    campaign.draw = () => ({ failures: 0, unsafe_attempts: 0, ...runs[Math.min(n++, 3)] });
    const pr = payload();
    const run = await gate({ repeats: 'auto', poll_interval: '1' }, pr);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      errors: '0',
      retried: '2',
      repeats_run: '2',
    });
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(4);
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.outcome).toBe('evaluated');
    expect(report.attempts.errors).toEqual([
      expect.objectContaining({ run: 'repeat 2', attempt: 1, retried: true }),
      expect.objectContaining({
        run: 'repeat 2',
        attempt: 2,
        retried: true,
        replacedBy: 'repeat 3',
      }),
    ]);
    expect(report.repeats.rows).toEqual([
      expect.objectContaining({ index: 1, outcome: 'evaluated' }),
      expect.objectContaining({ index: 2, outcome: 'error', replacedBy: 3 }),
      expect.objectContaining({ index: 3, outcome: 'evaluated' }),
    ]);
    const body = github.comments.get(pr.pull_request.number)?.[0]?.body ?? '';
    expect(render(body).text).toContain('no verdict, repeat 3 in its place');
  });

  it('repeats: auto with retry_errors: 0 starts no repeat in place of one without a verdict: the gate could not evaluate', async () => {
    failing((n) => n === 2);
    const run = await gate({ repeats: 'auto', retry_errors: '0', poll_interval: '1' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '0' });
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(2);
  });

  it('repeats: auto: a repeat without a verdict at the budget is not replaced: the gate could not evaluate', async () => {
    failing((n) => n > 1);
    const run = await gate({ repeats: 'auto', max_repeats: '2', poll_interval: '1' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1' });
    expect(run.outputs.reason).toMatch(/^Sepurux could not evaluate 1 of 2 repeats: repeat 2: /);
  });

  it('max_runs below a fixed repeats is an input error before any call', async () => {
    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const run = await gate({ repeats: '3', max_runs: '2' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      '`max_runs` / `repeats`: the most runs is fewer than the repeats asked for',
    );
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('errors on the command line', () => {
  const env = () => ({
    GATE_TOKEN: FAKE_TOKEN,
    GATE_PROJECT_ID: FAKE_PROJECT_ID,
    GATE_BASE_URL: servers[0]!.origin,
  });
  const flags = ['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'];

  it('says "could not evaluate" in its own words, and the report file lists each error', async () => {
    failing(() => true);
    const dir = scratchDir('cli-errors');
    const report = join(dir, 'verdict.json');
    const markdown = join(dir, 'verdict.md');
    const run = await runCli(
      [...flags, '--retry-errors', '1', '--report', report, '--markdown', markdown],
      env(),
    );
    // Exit 3: an outage, apart from a regression (1), for allow_failure: exit_codes.
    expect(run.exitCode).toBe(3);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^fail: Sepurux could not evaluate the run: /);
    expect(last).toContain('(--retry-errors: 1)');
    expect(last).not.toContain('retry_errors');
    const written = JSON.parse(await readFile(report, 'utf8'));
    expect(written.attempts.errors.map((e: { runId: string }) => e.runId)).toEqual([
      ...sepurux.runs.keys(),
    ]);
    const page = render(await readFile(markdown, 'utf8')).text;
    expect(page).toContain('Could not evaluate: 1 run');
    // The markdown names inputs as the command line does.
    expect(page).toContain('--retry-errors: 1 per run');
    expect(page).not.toContain('retry_errors');
  });

  it('stops --repeats auto at --max-runs, and says the budget decided', async () => {
    sepurux = new FakeSepurux();
    // Every run right at the bound: the sequential test cannot decide, so the budget does.
    sepurux.campaign('refund-reliability').draw = () => ({ pass_rate: 0.85 });
    const dir = scratchDir('cli-budget');
    const report = join(dir, 'verdict.json');
    const run = await runCli(
      [
        ...flags,
        '--min-pass-rate',
        '0.85',
        '--repeats',
        'auto',
        '--max-repeats',
        '8',
        '--max-runs',
        '2',
        '--report',
        report,
      ],
      env(),
    );
    expect(sepurux.runs.size).toBe(2);
    const written = JSON.parse(await readFile(report, 'utf8'));
    // The command line's report speaks its words, as its reason does.
    expect(written.repeats.stopped).toBe(
      'the budget (--max-runs 2) came before the sequential test decided; the pooled figures decide',
    );
    expect(written.attempts).toMatchObject({ started: 2, maxRuns: 2 });
    expect(run.stdout.trim().split('\n').at(-1)).toContain(
      '(--repeats auto; the budget (--max-runs 2) came before the sequential test decided',
    );
  });

  it('refuses --max-runs below --repeats, naming the flags', async () => {
    sepurux = new FakeSepurux();
    const run = await runCli([...flags, '--repeats', '4', '--max-runs', '3'], env());
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('--max-runs');
    expect(run.stderr).toContain('--repeats');
    expect(sepurux.requests).toHaveLength(0);
  });
});

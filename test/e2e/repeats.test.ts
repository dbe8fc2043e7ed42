import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binomialOutcome, FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux, seededRandom } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { ENGINES, render } from '../support/render.js';
import { runAction, runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// Repeats through the bundled action and command line, against a noisy fake agent.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([serveHandlers(() => sepurux.handlers()), serveHandlers(() => github.handlers())]);
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

const payload = () => webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
const gate = (inputs: Record<string, string>, pr = payload()) =>
  runAction({
    inputs: { base_url: servers[0]!.origin, token: FAKE_TOKEN, project_id: FAKE_PROJECT_ID, github_token: FAKE_GITHUB_TOKEN, trace_id: 'trace-1', campaign_name: 'refund-reliability', min_pass_rate: '0.85', ...inputs },
    eventName: 'pull_request',
    payload: pr,
    env: { GITHUB_API_URL: servers[1]!.origin },
  });

describe('repeats on the bundled action', () => {
  it('runs five, judges the pooled pass rate, sets repeats_run and repeats_passed, and shows every run', async () => {
    noisy(0.9, 3);
    const pr = payload();
    const run = await gate({ repeats: '5' }, pr);
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(5);
    expect(run.outputs).toMatchObject({ decision: 'pass', repeats_run: '5' });
    expect(Number(run.outputs.repeats_passed)).toBeLessThan(5);
    expect(run.outputs.reason).toMatch(/^Sepurux, 5 repeats pooled: all 2 thresholds hold; \d of 5 repeats passed on their own\.$/);
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.repeats.rows).toHaveLength(5);
    const body = github.comments.get(pr.pull_request.number)?.[0]?.body ?? '';
    for (const engine of ENGINES) {
      const seen = render(body, engine);
      expect(seen.text, engine).toMatch(/Repeats \(5\): \d of 5 passed on their own; pass\^5 does not hold\. Stopped: all 5 repeats ran\./);
      expect(seen.text, engine).toMatch(/Across the repeats: pass rate 0\.\d+ \[0\.\d+, (0\.\d+|1)\] \(95% t interval \(n = 5\)\)/);
      expect(seen.text, engine).toContain('What the sample can see: min_pass_rate: this sample tells a shortfall of');
      expect(seen.rows.filter((row) => /^\d$/.test(row[0] ?? '')), engine).toHaveLength(5);
    }
  });

  it('repeats: auto stops early on a clear agent and says why', async () => {
    noisy(0.99, 5);
    const run = await gate({ repeats: 'auto', poll_interval: '1' });
    expect(run.outputs.decision).toBe('pass');
    expect(Number(run.outputs.repeats_run)).toBeLessThan(5);
    expect(run.outputs.reason).toContain('repeats: auto; the sequential test decided every threshold after');
  });

  it('an input error names the repeat input', async () => {
    noisy(0.9, 1);
    const run = await gate({ repeats: '21' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('Input `repeats` is "21"; write a whole number from 1 to 20, or `auto`.');
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('repeats on the command line', () => {
  it('--repeats 3 pools three runs', async () => {
    noisy(0.9, 4);
    const run = await runCli(['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability', '--min-pass-rate', '0.85', '--repeats', '3'], {
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
    });
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^(pass|fail): Sepurux, 3 repeats pooled/);
    expect(run.stderr).toContain('[repeat 3] ');
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { pullRequestPayload } from '../support/pull-request.js';
import { runAction, runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// What a CI reads of the command line: its exit status, and each input error said once.
let sepurux = new FakeSepurux();
const github = new FakeGitHub();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const env = () => ({
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
});
const flags = ['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'];
const occurrences = (text: string, said: string) => text.split(said).length - 1;

describe('the exit status', () => {
  it('could not evaluate: 3 in hard mode, 0 in soft mode; a regression: 1', async () => {
    sepurux = new FakeSepurux();
    sepurux.campaign('refund-reliability').draw = () => ({ status: 'failed' });
    const hard = await runCli(flags, env());
    expect(hard.exitCode, hard.stderr).toBe(3);
    expect(hard.stdout.trim()).toMatch(/^fail: Sepurux could not evaluate the run: /);
    const soft = await runCli([...flags, '--mode', 'soft'], env());
    expect(soft.exitCode, soft.stderr).toBe(0);

    sepurux = new FakeSepurux();
    const regression = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'checkout-regression'],
      env(),
    );
    expect(regression.exitCode).toBe(1);
  });

  it('--help lists every exit status', async () => {
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(
      '0 pass or warn, 1 fail (a regression), 2 bad input (nothing was sent), 3 could not evaluate',
    );
  });
});

describe('an input error is said once', () => {
  it('on the command line: every problem on stderr, and stdout ends with the decision alone', async () => {
    sepurux = new FakeSepurux();
    const said = '--min-pass-rate is "85"';
    const one = await runCli([...flags, '--min-pass-rate', '85'], env());
    expect(one.exitCode).toBe(2);
    expect(occurrences(one.stdout + one.stderr, said), one.stdout + one.stderr).toBe(1);
    expect(one.stderr).toContain(said);
    expect(one.stdout.trim()).toBe('fail: bad input, 1 problem said on stderr; nothing was sent.');

    const two = await runCli([...flags, '--min-pass-rate', '85', '--verbos'], env());
    expect(two.exitCode).toBe(2);
    for (const problem of [said, 'Unknown flag --verbos;'])
      expect(occurrences(two.stdout + two.stderr, problem), problem).toBe(1);
    expect(two.stdout.trim()).toBe('fail: bad input, 2 problems said on stderr; nothing was sent.');
    expect(sepurux.requests).toHaveLength(0);
  });

  it('on the action: once in the log, as its error', async () => {
    const run = await runAction({
      inputs: {
        base_url: servers[0]!.origin,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        github_token: FAKE_GITHUB_TOKEN,
        trace_id: 'trace-1',
        campaign_name: 'refund-reliability',
        min_pass_rate: '85',
      },
      eventName: 'pull_request',
      payload: pullRequestPayload(),
      env: { GITHUB_API_URL: servers[1]!.origin },
    });
    expect(run.exitCode).toBe(1);
    const said = '`min_pass_rate` is "85"';
    expect(occurrences(run.stdout + run.stderr, said), run.stdout).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([
      expect.objectContaining({ message: expect.stringContaining(said) }),
    ]);
  });
});

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/core/render/marker.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { FaultyServer } from '../support/faults.js';
import { runAction, type RunActionOptions } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

let sepurux = new FakeSepurux();
let trulayer = new FakeTruLayer();
let github = new FakeGitHub();
let servers: ServedHandlers[];
let silentGitHub: FaultyServer | undefined;
const origin = (i: number) => servers[i]!.origin;

beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
});
afterEach(async () => silentGitHub?.stop());
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const pullRequest = () => webhookExample('pull_request', 'opened') as any;
const gate = (inputs: Record<string, string>, more: Partial<RunActionOptions> = {}) =>
  runAction({
    inputs: {
      base_url: origin(0),
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      ...inputs,
    },
    eventName: 'pull_request',
    payload: more.payload ?? pullRequest(),
    ...more,
    env: { GITHUB_API_URL: origin(2), ...more.env },
  });

describe('a cancelled job', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s: the check is completed as cancelled, decision=fail is written, the process exits within seconds',
    async (signal) => {
      const run = await gate(
        { campaign_name: 'slow-campaign' },
        { cancelWhen: { stdoutIncludes: '::group::Wait for the verdict', signal } },
      );
      expect(run.signalledAt).toBeDefined();
      expect(run.exitedAt - run.signalledAt!).toBeLessThan(5_000);
      expect(run.exitCode).toBe(1);
      expect(run.outputs.decision).toBe('fail');
      expect(run.outputs.reason).toBe(
        `The job was cancelled (${signal}) before Sepurux gave a verdict, so the gate fails closed.`,
      );
      expect(run.outputs.run_id).toBe([...sepurux.runs.keys()][0]);
      expect(github.checkRuns).toEqual([
        expect.objectContaining({ status: 'completed', conclusion: 'cancelled' }),
      ]);
    },
  );
});

describe('local faults on the runner', () => {
  it('an unusable RUNNER_TEMP: the outputs still exist, and the step and the check agree', async () => {
    // A file where the runner's temporary directory should be.
    const notADirectory = join(process.cwd(), 'package.json');
    const run = await gate(
      { campaign_name: 'checkout-regression' },
      { env: { RUNNER_TEMP: notADirectory } },
    );
    expect(run.outputs).toMatchObject({ decision: 'fail', report_file: '', pass_rate: '0.72' });
    expect(run.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringMatching(
        /^Could not write the report file \(.*\); the `report_file` output is empty/,
      ),
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toContainEqual({
      level: 'error',
      message: expect.stringMatching(/^Gate failed\. Sepurux decided fail/),
    });
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a token holding a line break is an input error naming `token`, before any request', async () => {
    const run = await gate({
      campaign_name: 'refund-reliability',
      token: `${FAKE_TOKEN}\nX-Injected: 1`,
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/^Input `token` holds a line break/);
    expect(sepurux.requests).toHaveLength(0);
    expect(run.durationMs).toBeLessThan(3_000);
  });

  it('a base_url with credentials is an input error naming `base_url`', async () => {
    const run = await gate({
      campaign_name: 'refund-reliability',
      base_url: origin(0).replace('http://', 'http://user:pw@'),
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/^Input `base_url` holds credentials/);
    expect(sepurux.requests).toHaveLength(0);
  });

  it('a GitHub that never answers costs the shared budget, not 20 s a call: a 2 s gate ends in seconds', async () => {
    silentGitHub = await new FaultyServer().start();
    for (const method of ['GET', 'POST', 'PATCH'])
      silentGitHub.on(
        method,
        '/',
        ...Array.from({ length: 20 }, () => ({ kind: 'hang' }) as const),
      );
    const run = await gate(
      { campaign_name: 'refund-reliability', timeout: '2' },
      { env: { GITHUB_API_URL: silentGitHub.origin } },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('pass');
    // timeout 2 s + GitHub's grace of 5 s, and a margin for start-up.
    expect(run.durationMs).toBeLessThan(9_000);
  });
});

describe('the sticky comment with a GitHub App token', () => {
  it('is found again through the app named by the check run, and a minimized one is left alone', async () => {
    github = new FakeGitHub({ app: 'reliability-bot' });
    const payload = pullRequest();
    const number = payload.pull_request.number as number;
    const hidden = github.seedComment(
      number,
      `old verdict\n${commentMarker('Sepurux Reliability Gate')}`,
      github.actor,
      { reason: 'outdated' },
    );
    await gate({ campaign_name: 'checkout-regression' }, { payload });
    await gate({ campaign_name: 'refund-reliability' }, { payload });
    const comments = github.comments.get(number) ?? [];
    expect(comments.map((c) => c.user.login)).toEqual([
      'reliability-bot[bot]',
      'reliability-bot[bot]',
    ]);
    expect(comments[0]).toEqual(hidden);
    expect(comments[1]?.body).toContain('Sepurux Reliability Gate: pass');
    expect(github.violations).toEqual([]);
  });
});

describe('backend text on the log', () => {
  it('can never start a workflow command, and the token never reaches stdout', async () => {
    trulayer = new FakeTruLayer({
      forceDecision: 'pass',
      forceReason: `fine\n::warning::pwned\n  ::add-mask::Gate\n::set-output name=decision::pass\ntoken was ${FAKE_TRULAYER_TOKEN}`,
    });
    const run = await runAction({
      inputs: {
        backend: 'trulayer',
        base_url: origin(1),
        token: FAKE_TRULAYER_TOKEN,
        dataset_id: DATASET_ID,
        eval_version_id: EVAL_VERSION_ID,
        score_floor: '0.5',
      },
      env: { ACTIONS_STEP_DEBUG: 'true' },
    });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(
      lines
        .filter((line) => line.trim().startsWith('::'))
        .map((line) => line.trim().split('::')[1]?.split(' ')[0]),
    ).not.toContain('warning');
    // Only the action's own masks: the backend token and the job's `github.token` (action.yml's default).
    const ownMasks = new Set([
      `::add-mask::${FAKE_TRULAYER_TOKEN}`,
      `::add-mask::${FAKE_GITHUB_TOKEN}`,
    ]);
    expect(
      lines.filter((line) => /^\s*::(add-mask|set-output)/.test(line) && !ownMasks.has(line)),
    ).toEqual([]);
    expect(lines.filter((line) => line.includes(FAKE_TRULAYER_TOKEN))).toEqual([
      `::add-mask::${FAKE_TRULAYER_TOKEN}`,
    ]);
    expect(run.stdout).toContain('pwned');
  });

  it('can never carry a legacy `##[command]` either, anywhere in a line, on stdout or stderr', async () => {
    // A campaign id that would mask "pass" in the rest of the log, and a reason that would be an error annotation.
    sepurux.campaigns.push({
      id: 'c-1 ##[add-mask]pass',
      name: 'hostile-campaign',
      outcome: { decision: 'pass', pass_rate: 0.95, unsafe_attempts: 0 },
    });
    const hostile = await gate(
      { campaign_name: 'hostile-campaign' },
      { env: { ACTIONS_STEP_DEBUG: 'true' } },
    );
    expect(hostile.exitCode, hostile.stdout).toBe(0);
    trulayer = new FakeTruLayer({
      forceDecision: 'pass',
      forceReason: 'fine ##[error]owned ##[add-mask]Gate',
    });
    const reason = await runAction({
      inputs: {
        backend: 'trulayer',
        base_url: origin(1),
        token: FAKE_TRULAYER_TOKEN,
        dataset_id: DATASET_ID,
        eval_version_id: EVAL_VERSION_ID,
        score_floor: '0.5',
      },
      env: { ACTIONS_STEP_DEBUG: 'true' },
    });
    expect(reason.exitCode, reason.stdout).toBe(0);
    for (const run of [hostile, reason]) {
      expect(legacyCommands(run.stdout + run.stderr)).toEqual([]);
      expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    }
    // Shown, not obeyed: the reader still sees what the backend said.
    expect(hostile.stdout.replaceAll('\u200b', '')).toContain('c-1 ##[add-mask]pass');
    expect(reason.stdout.replaceAll('\u200b', '')).toContain('fine ##[error]owned');
    expect(reason.outputs.decision).toBe('pass');
  });
});

/** The legacy commands the runner would obey in `text`: in each line that is not a `::` command, the first `##[name]`. */
function legacyCommands(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*::[A-Za-z-]+(?: [^:]*)?::/.test(line) && line.includes('##['))
    .map((line) => /^##\[([^\] ]*)[^\]]*\]/.exec(line.slice(line.indexOf('##[')))?.[1])
    .filter((name): name is string => name !== undefined);
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { type Engine, ENGINES, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// Fail closed at every door of the bundled action: what a user meets around the main path.
let sepurux = new FakeSepurux();
let trulayer = new FakeTruLayer();
let github = new FakeGitHub();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  trulayer = new FakeTruLayer();
  github = new FakeGitHub();
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const pullRequest = () =>
  webhookExample('pull_request', 'opened') as {
    pull_request: { number: number; head: { sha: string }; base: { sha: string } };
  };
const sepuruxInputs = (more: Record<string, string> = {}) => ({
  base_url: servers[0]!.origin,
  token: FAKE_TOKEN,
  project_id: FAKE_PROJECT_ID,
  github_token: FAKE_GITHUB_TOKEN,
  trace_id: 'trace-1',
  campaign_name: 'refund-reliability',
  ...more,
});
const onPullRequest = (inputs: Record<string, string>, payload = pullRequest()) =>
  runAction({
    inputs,
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[2]!.origin },
  });
const commentOn = (number: number) => github.comments.get(number)?.at(-1)?.body;
/** Text a reader sees outside code spans, as `engine` renders it: where GitHub looks for references. */
const prose = (markdown: string, engine: Engine) =>
  render(markdown.replace(/`[^`\n]*`/g, ''), engine).text;

describe('a typo in `with:`', () => {
  it.each([['min_pass_rat'], ['min-pass-rate'], ['MIN_PASS_RATE_']])(
    '%s is an input error naming min_pass_rate, not a threshold dropped in silence',
    async (typo) => {
      // refund-reliability passes at 0.92: a dropped 0.95 threshold would let it through.
      const run = await onPullRequest({ ...sepuruxInputs(), [typo]: '0.95' });
      expect(run.exitCode).toBe(1);
      expect(run.outputs.decision).toBe('fail');
      expect(run.outputs.reason).toContain(
        `Input \`${typo.toLowerCase()}\` is not an input of this action; did you mean \`min_pass_rate\`?`,
      );
      expect(sepurux.requests).toEqual([]);
    },
  );

  it("names the command line's own inputs as such: the action reports on GitHub with github_token", async () => {
    const run = await onPullRequest({
      ...sepuruxInputs(),
      gitlab_token: 'glpat-x',
      repository: 'acme/agents',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      '`gitlab_token` is read by the command line only (reporting from another CI); the action reports on GitHub with `github_token`: remove it',
    );
    expect(run.outputs.reason).toContain('`repository` is read by the command line only');
    expect(sepurux.requests).toEqual([]);
  });

  it('is said with every other problem at once, and a value is never repeated', async () => {
    const run = await onPullRequest({
      ...sepuruxInputs({ min_pass_rate: '85' }),
      tokn: 'sx_SECRET_VALUE',
    });
    expect(run.outputs.reason).toContain(
      '`tokn` is not an input of this action; did you mean `token`?',
    );
    expect(run.outputs.reason).toContain('`min_pass_rate` is "85"');
    expect(run.stdout + run.stderr + JSON.stringify(github.checkRuns)).not.toContain(
      'sx_SECRET_VALUE',
    );
  });
});

describe('an input error', () => {
  it('completes the required check as failed, saying what to fix, and comments on the pull request', async () => {
    const payload = pullRequest();
    const run = await onPullRequest(sepuruxInputs({ min_pass_rate: '85' }), payload);
    expect(run.exitCode).toBe(1);
    expect(sepurux.requests).toEqual([]);
    expect(github.checkRuns).toHaveLength(1);
    const [check] = github.checkRuns;
    expect(check).toMatchObject({
      name: 'Sepurux Reliability Gate',
      head_sha: payload.pull_request.head.sha,
      status: 'completed',
      conclusion: 'failure',
    });
    // The input's name as code, the rest as text.
    const summary = render(check?.output?.summary ?? '');
    expect(summary.text).toContain(
      'min_pass_rate is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%)',
    );
    expect(summary.html).toContain('<code>min_pass_rate</code> is');
    // An input error says nothing of the agent: it is no baseline for later pull requests.
    expect(check?.output?.text ?? '').not.toContain('agent-reliability-gate-record');
    expect(render(commentOn(payload.pull_request.number) ?? '').text).toContain(
      'write "0.85" for 85%',
    );
    expect(github.violations).toEqual([]);
  });

  it('goes on the check named by check_name, with the TruLayer default for backend: trulayer', async () => {
    await onPullRequest({
      ...sepuruxInputs(),
      check_name: 'Agent gate',
      campaign_name: '',
      campaign_id: 'not-a-uuid',
    });
    expect(github.checkRuns.map((c) => [c.name, c.conclusion])).toEqual([
      ['Agent gate', 'failure'],
    ]);
    github = new FakeGitHub();
    await onPullRequest({
      backend: 'trulayer',
      token: FAKE_TRULAYER_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      dataset_id: DATASET_ID,
    });
    expect(github.checkRuns.map((c) => [c.name, c.conclusion])).toEqual([
      ['TruLayer Eval Gate', 'failure'],
    ]);
  });
});

describe('a workflow_run hand-over', () => {
  const GATED = 'c0ffee'.padEnd(40, '1');
  const workflowRun = () => ({
    ...webhookExample('workflow_run', 'completed'),
    workflow_run: {
      ...(webhookExample('workflow_run', 'completed').workflow_run as object),
      head_sha: GATED,
      pull_requests: [],
    },
  });
  const handOver = (number: string) =>
    runAction({
      inputs: sepuruxInputs({ pull_request_number: number }),
      eventName: 'workflow_run',
      payload: workflowRun(),
      env: { GITHUB_API_URL: servers[2]!.origin },
    });

  it('comments on the pull request whose head is the commit it gated', async () => {
    github.seedPullRequest(8, GATED);
    const run = await handOver('8');
    expect(run.outputs.decision).toBe('pass');
    expect(commentOn(8)).toContain('Sepurux Reliability Gate');
    expect(github.checkRuns[0]).toMatchObject({ head_sha: GATED, conclusion: 'success' });
  });

  it('refuses, and says so, a number an untrusted artifact pointed at another pull request', async () => {
    github.seedPullRequest(7, 'd'.repeat(40));
    const run = await handOver('7');
    expect(run.outputs.decision).toBe('pass');
    expect(github.comments.get(7)).toBeUndefined();
    expect(run.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringContaining(
        `Not commenting on pull request #7: its head is dddddddddddd, not the commit this workflow_run gated`,
      ),
    });
    // The verdict still lands where it belongs: the check on the gated commit.
    expect(github.checkRuns[0]).toMatchObject({ head_sha: GATED, conclusion: 'success' });
  });

  it('refuses a pull request that does not exist', async () => {
    const run = await handOver('99');
    expect(github.comments.size).toBe(0);
    expect(
      run.annotations.some(
        (a) =>
          a.level === 'warning' &&
          a.message.startsWith(
            'Not commenting on pull request #99: its head could not be read (HTTP 404',
          ),
      ),
    ).toBe(true);
  });
});

describe('backend text in the comment', () => {
  it('links no reference, keeps the reason as written, and names the dashboard host', async () => {
    const campaign = sepurux.campaign('refund-reliability');
    campaign.outcome = {
      ...campaign.outcome,
      pass_rate: 0.8,
      top_failing_tools: [
        { tool: 'fixes GH-123 see octo-org/octo-repo#12', count: 2 },
        { tool: 'reverted in 0123456789abcdef0123456789abcdef01234567 and deadbee', count: 1 },
      ],
    };
    const payload = pullRequest();
    const run = await onPullRequest(sepuruxInputs({ min_pass_rate: '0.85' }), payload);
    expect(run.outputs.decision).toBe('fail');
    const body = commentOn(payload.pull_request.number) ?? '';
    for (const engine of ENGINES) {
      const text = prose(body, engine);
      expect(text.replaceAll('\u200d', ''), engine).toContain(
        'fixes GH-123 see octo-org/octo-repo#12',
      );
      expect(text, engine).not.toMatch(/\bGH-\d/i);
      expect(text, engine).not.toMatch(/[\w.-]+\/[\w.-]+#\d/);
      expect(text, engine).not.toMatch(/\b[0-9a-f]{7,40}\b/i);
      // The reason reads as the `reason` output does, its quoted input names as code.
      expect(render(body, engine).text, engine).toContain(run.outputs.reason!.replaceAll('`', ''));
    }
    expect(run.outputs.reason).toContain('(`min_pass_rate`)');
    const link = /\[Open in the Sepurux dashboard \(([^)]*)\)\]\(([^)]*)\)/.exec(body);
    expect(link?.[1]?.replaceAll('\\', '')).toBe(new URL(run.outputs.dashboard_url!).host);
  });
});

describe('advice that points the right way', () => {
  it('a 422 on a single-trace run does not blame the eval-set; a 404 on the events is about the events', async () => {
    sepurux = new FakeSepurux({ rejectUnknownTraces: true });
    const refused = await onPullRequest(sepuruxInputs({ trace_id: 'never-uploaded' }));
    expect(refused.outputs.reason).toContain(
      'HTTP 422: trace_id never-uploaded is not a trace of this project',
    );
    expect(refused.outputs.reason).not.toMatch(/eval-set|min_scenarios/);
    // A server without the events endpoints.
    sepurux = new FakeSepurux({ events: () => undefined });
    const failed = await onPullRequest(sepuruxInputs({ campaign_name: 'checkout-regression' }));
    expect(failed.outputs.decision).toBe('fail');
    expect(failed.stdout).toContain('serves no policy events for the run');
    expect(failed.stdout).not.toContain('Check the ids');
  });
});

describe('TruLayer delta_tolerance with baseline_run_id: auto and no base run', () => {
  it('is decided by on_missing_baseline, and the reason says nothing was compared', async () => {
    const inputs = {
      backend: 'trulayer',
      base_url: servers[1]!.origin,
      token: FAKE_TRULAYER_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      score_floor: '0.5',
      delta_tolerance: '-0.02',
      baseline_run_id: 'auto',
    };
    const warned = await onPullRequest(inputs);
    expect(warned.outputs.decision).toBe('warn');
    expect(warned.outputs.reason).toContain(
      'nothing was compared for `delta_tolerance` (no eval run of the base branch to compare with (`baseline_run_id: auto`); on_missing_baseline: warn)',
    );
    expect(github.checkRuns[0]?.conclusion).toBe('neutral');
    const passed = await onPullRequest({ ...inputs, on_missing_baseline: 'pass' });
    expect(passed.outputs.decision).toBe('pass');
    expect(passed.outputs.reason).toContain('nothing was compared for `delta_tolerance`');
    const failed = await onPullRequest({ ...inputs, on_missing_baseline: 'fail' });
    expect([failed.exitCode, failed.outputs.decision]).toEqual([1, 'fail']);
  });
});

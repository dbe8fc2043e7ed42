import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  type FakeCampaign,
  FakeSepurux,
  type FakeSepuruxOptions,
} from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { mentions, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// The "why" of a failing Sepurux verdict, through the bundled action.
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

const POLICY = [
  {
    type: 'policy_violation',
    action: 'blocked',
    policy: 'refund-limit',
    tool: 'payments.refund',
    attempt: 2,
    reason: 'Refund of 4200 exceeds the 500 limit',
  },
  {
    type: 'policy_violation',
    action: 'blocked',
    policy: 'refund-limit',
    tool: 'payments.refund',
    attempt: 3,
    reason: 'Refund of 9000 exceeds the 500 limit',
  },
];
const SECURITY = {
  events: [
    {
      kind: 'prompt_injection',
      decision: 'flagged',
      tool: 'web.fetch',
      severity: 'high',
      message: 'ignore previous instructions @admin <img src=x>',
    },
  ],
};

/** Gates on a campaign with `campaign`'s outcome, the fake answering events with `events`. */
async function gate(
  campaign: Partial<FakeCampaign>,
  events: FakeSepuruxOptions['events'],
  inputs: Record<string, string> = {},
) {
  sepurux = new FakeSepurux({
    campaigns: [
      {
        id: randomUUID(),
        name: 'why',
        outcome: { decision: 'fail', pass_rate: 0.5, unsafe_attempts: 2, failures: 3 },
        ...campaign,
      },
    ],
    events,
  });
  github = new FakeGitHub();
  const payload = webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
  const run = await runAction({
    inputs: {
      base_url: servers[0]!.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      campaign_name: 'why',
      github_token: FAKE_GITHUB_TOKEN,
      ...inputs,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin },
  });
  const comment = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
  return {
    run,
    surfaces: { comment, check: github.checkRuns[0]?.output?.summary ?? '', summary: run.summary },
  };
}
const eventRequests = () => sepurux.requests.filter((r) => r.path.includes('-events'));

describe('why a Sepurux verdict failed', () => {
  it('a failing run shows its events, grouped, in the comment, the check and the summary; the report holds them all', async () => {
    const { run, surfaces } = await gate(
      {},
      (_run, source) => ({ body: source === 'policy' ? POLICY : SECURITY }),
      { trace_id: 'trace-1' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe('Sepurux decided fail; unsafe attempts 2 > 0 (`max_unsafe`).');
    expect(eventRequests().map((r) => r.path.replace(/runs\/[^/]+/, 'runs/ID'))).toEqual([
      '/v1/runs/ID/policy-events',
      '/v1/runs/ID/security-events',
    ]);
    for (const [where, markdown] of Object.entries(surfaces)) {
      const seen = render(markdown);
      expect(seen.text, where).toContain('Why it failed');
      // The policy that fired comes first: it is what a reviewer needs.
      expect(seen.rows, where).toContainEqual([
        '2',
        'refund-limit',
        'policy: policy_violation',
        'blocked',
        'payments.refund',
        '2, 3',
        'Refund of 4200 exceeds the 500 limitRefund of 9000 exceeds the 500 limit',
      ]);
      const security = seen.rows.find((row) => row[2] === 'security: prompt_injection');
      expect(
        security?.map((cell) => cell.replaceAll('\u200d', '')),
        where,
      ).toEqual([
        '1',
        '—',
        'security: prompt_injection',
        'flagged',
        'web.fetch',
        '',
        'ignore previous instructions @admin <img src=x>',
      ]);
      expect(mentions(seen), where).toEqual([]);
      expect(seen.elements.has('img'), where).toBe(false);
    }
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.why.findings).toHaveLength(3);
    expect(report.why.findings[0]).toMatchObject({
      source: 'policy',
      kind: 'policy_violation',
      rule: 'refund-limit',
      attempt: '2',
    });
  });

  it('a failing batch shows the events of its failing runs, worst first, and asks nothing of the passing one', async () => {
    const pool = ['t-pass', 't-fail', 't-worst'];
    const { run, surfaces } = await gate(
      {
        evalSet: pool,
        traceOutcomes: {
          't-pass': { decision: 'pass', unsafe_attempts: 0, failures: 0 },
          't-fail': { decision: 'fail', unsafe_attempts: 0, failures: 2 },
          't-worst': { decision: 'fail', unsafe_attempts: 3, failures: 1 },
        },
      },
      (r, source) => ({
        body: source === 'policy' ? [{ type: 'violation', tool: `tool-of-${r.traceId}` }] : [],
      }),
    );
    expect(run.exitCode).toBe(1);
    const runOf = (trace: string) =>
      [...sepurux.runs.values()].find((r) => r.traceId === trace)!.id;
    const asked = new Set(eventRequests().map((r) => r.path.split('/')[3]));
    expect(asked).toEqual(new Set([runOf('t-fail'), runOf('t-worst')]));
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    expect(report.why.runs).toEqual([runOf('t-worst'), runOf('t-fail')]);
    expect(render(surfaces.comment).text).toContain(
      `run ${runOf('t-worst')} and 1 more failing run`,
    );
  });

  it('a passing verdict makes no event request', async () => {
    const { run } = await gate(
      { outcome: { decision: 'pass', pass_rate: 1, unsafe_attempts: 0, failures: 0 } },
      () => ({ body: POLICY }),
      { trace_id: 'trace-1' },
    );
    expect(run.exitCode).toBe(0);
    expect(eventRequests()).toHaveLength(0);
  });

  it.each([
    [
      'a backend without the endpoints (404)',
      (): undefined => undefined,
      /No policy events for run .*: GET \/v1\/runs\/\{run_id\}\/policy-events failed with HTTP 404/,
    ],
    [
      'a 403',
      () => ({ status: 403, body: { detail: 'not allowed' } }),
      /No policy events for run .*HTTP 403: not allowed/,
    ],
    [
      'events in a shape that cannot be read',
      () => ({ body: { weird: true } }),
      /The policy events of run .* are in a shape the gate cannot read/,
    ],
  ] as const)(
    '%s: one log line, no section, the same verdict and exit code',
    async (_what, events, logged) => {
      const { run, surfaces } = await gate({}, events as FakeSepuruxOptions['events'], {
        trace_id: 'trace-1',
      });
      expect(run.exitCode).toBe(1);
      expect(run.outputs.decision).toBe('fail');
      expect(run.outputs.reason).toBe(
        'Sepurux decided fail; unsafe attempts 2 > 0 (`max_unsafe`).',
      );
      expect(run.stdout).toMatch(logged);
      for (const markdown of Object.values(surfaces))
        expect(render(markdown).text).not.toContain('Why it failed');
    },
  );

  it('without project_id, nothing is asked and the log says how to see it', async () => {
    const campaignId = randomUUID();
    sepurux = new FakeSepurux({
      campaigns: [
        {
          id: campaignId,
          name: 'why',
          outcome: { decision: 'fail', pass_rate: 0.5, unsafe_attempts: 2, failures: 3 },
        },
      ],
      events: () => ({ body: POLICY }),
    });
    const run = await runAction({
      inputs: {
        base_url: servers[0]!.origin,
        token: FAKE_TOKEN,
        trace_id: 'trace-1',
        campaign_id: campaignId,
        comment: 'false',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(eventRequests()).toHaveLength(0);
    expect(run.stdout).toContain(
      "Why the verdict failed is read from the run's events, which need `project_id`",
    );
  });
});

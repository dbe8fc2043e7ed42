import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/core/support/deadline.js';
import type { Mode } from '../../../src/core/inputs/common.js';
import { commentMarker } from '../../../src/core/render/marker.js';
import { startGitHubReport } from '../../../src/report/github/report.js';
import { decide, failedVerdict, type Verdict } from '../../../src/core/verdict/verdict.js';
import { sepurux } from '../../../src/core/backends/sepurux/index.js';
import {
  ACTIONS_BOT,
  FAKE_GITHUB_TOKEN,
  FakeGitHub,
  type FakeGitHubOptions,
} from '../../support/fake-github.js';
import { memoryLog, planActionWith, TEST_ENV } from '../../support/gate.js';
import { type ServedHandlers, serveHandlers } from '../../support/serve.js';
import { mentions, render } from '../../support/render.js';
import { webhookExample } from '../../support/webhooks.js';

let github = new FakeGitHub();
let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers(() => github.handlers());
});
afterAll(() => server.close());

const pass = decide(
  sepurux,
  {
    decision: 'pass',
    status: 'done',
    ids: { run_id: 'r1' },
    figures: { pass_rate: 0.9 },
    thresholds: [],
    topFailingTools: [],
    dashboardUrl: 'https://app.sepurux.dev/runs/r1',
  },
  10,
);
const fail = decide(
  sepurux,
  {
    decision: 'fail',
    status: 'done',
    ids: { run_id: 'r2' },
    figures: { pass_rate: 0.5 },
    thresholds: [],
    topFailingTools: [],
  },
  10,
);

/** Reports `verdict` for `event` against a fresh fake GitHub, as main does. */
async function report(options: {
  event: string;
  action?: string;
  verdict: Verdict;
  mode?: Mode;
  inputs?: Record<string, string>;
  github?: FakeGitHubOptions | FakeGitHub;
  payload?: Record<string, unknown>;
  apiPath?: string;
}) {
  // A FakeGitHub instance carries state over from an earlier run; options start a fresh one.
  github = options.github instanceof FakeGitHub ? options.github : new FakeGitHub(options.github);
  const payload = options.payload ?? webhookExample(options.event, options.action);
  const log = memoryLog();
  const plan = await planActionWith(
    {
      token: 'backend-secret',
      trace_id: 't',
      campaign_id: '11111111-2222-4333-8444-555555555555',
      github_token: FAKE_GITHUB_TOKEN,
      mode: options.mode ?? 'hard',
      ...options.inputs,
    },
    options.event,
    payload,
    { GITHUB_API_URL: `${server.origin}${options.apiPath ?? ''}` },
  );
  const reporting = await startGitHubReport(plan.github, log, new Deadline(60_000));
  const started = structuredClone(github.checkRuns);
  await reporting.finish(options.verdict);
  return { started, payload: payload as any, log };
}

const EVENTS: [string, string | undefined, (p: any) => string][] = [
  ['pull_request', 'opened', (p) => p.pull_request.head.sha],
  ['pull_request_target', 'opened', (p) => p.pull_request.head.sha],
  ['push', undefined, () => TEST_ENV.GITHUB_SHA],
  ['workflow_run', 'completed', (p) => p.workflow_run.head_sha],
  ['merge_group', 'checks_requested', (p) => p.merge_group.head_sha],
];

describe('the required check', () => {
  describe.each(EVENTS)('on %s', (event, action, headSha) => {
    it.each([
      ['hard', pass, 'success'],
      ['hard', fail, 'failure'],
      ['soft', fail, 'action_required'],
      ['observe', fail, 'neutral'],
      ['soft', pass, 'success'],
    ] as const)(
      'mode %s, verdict %s: starts in progress, completes with %s on the head commit',
      async (mode, verdict, conclusion) => {
        const { started, payload } = await report({ event, action, verdict, mode });
        expect(started).toEqual([
          expect.objectContaining({
            name: 'Sepurux Reliability Gate',
            status: 'in_progress',
            head_sha: headSha(payload),
          }),
        ]);
        expect(github.checkRuns).toHaveLength(1);
        expect(github.checkRuns[0]).toMatchObject({
          status: 'completed',
          conclusion,
          head_sha: headSha(payload),
        });
        expect(github.violations).toEqual([]);
      },
    );
  });

  it('links the dashboard, else the workflow run, and summarises the verdict', async () => {
    await report({ event: 'push', verdict: pass });
    expect(github.checkRuns[0]).toMatchObject({ details_url: 'https://app.sepurux.dev/runs/r1' });
    expect(github.checkRuns[0]?.output?.summary).toContain('## ✅ Sepurux Reliability Gate: pass');
    await report({ event: 'push', verdict: fail });
    expect(github.checkRuns[0]?.details_url).toBe(
      'https://github.com/octo-org/agent/actions/runs/9001',
    );
  });

  it('completes the check as failed when the gate errored or timed out', async () => {
    const timedOut = failedVerdict(
      'Sepurux',
      'No verdict within the 600s timeout while waiting for CI run r1.',
      { run_id: 'r1' },
      600_000,
    );
    await report({ event: 'push', verdict: timedOut });
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(github.checkRuns[0]?.output?.title).toContain('No verdict within the 600s timeout');
  });

  it('says a pass or a fail once: GitHub shows the conclusion beside the title', async () => {
    await report({ event: 'push', verdict: fail });
    expect(github.checkRuns[0]).toMatchObject({ conclusion: 'failure' });
    expect(github.checkRuns[0]?.output?.title).toBe(fail.reason);
    expect(github.checkRuns[0]?.output?.title).not.toMatch(/^fail: /);
  });

  it('puts the check on head_sha when given', async () => {
    await report({ event: 'push', verdict: pass, inputs: { head_sha: 'd'.repeat(40) } });
    expect(github.checkRuns[0]?.head_sha).toBe('d'.repeat(40));
  });

  it('falls back to a commit status with the check name where checks are not allowed', async () => {
    const { payload } = await report({
      event: 'pull_request',
      action: 'opened',
      verdict: fail,
      github: { forbid: { checks: true } },
    });
    expect(github.checkRuns).toEqual([]);
    expect(github.statuses.map((s) => [s.sha, s.state, s.context])).toEqual([
      [payload.pull_request.head.sha, 'pending', 'Sepurux Reliability Gate'],
      [payload.pull_request.head.sha, 'failure', 'Sepurux Reliability Gate'],
    ]);
    expect(github.statuses[1]?.description?.length).toBeLessThanOrEqual(140);
    expect(github.violations).toEqual([]);
  });

  it('maps soft and observe failures onto statuses that say so', async () => {
    await report({
      event: 'push',
      verdict: fail,
      mode: 'observe',
      github: { forbid: { checks: true } },
    });
    expect(github.statuses[1]).toMatchObject({
      state: 'success',
      description: expect.stringMatching(/^fail \(observe only\): /),
    });
    await report({
      event: 'push',
      verdict: fail,
      mode: 'soft',
      github: { forbid: { checks: true } },
    });
    expect(github.statuses[1]).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/^needs review: /),
    });
  });

  it('warns and goes on where neither checks nor statuses are allowed', async () => {
    const { log } = await report({
      event: 'push',
      verdict: pass,
      github: { forbid: { checks: true, statuses: true } },
    });
    expect(github.checkRuns).toEqual([]);
    expect(github.statuses).toEqual([]);
    expect(
      log.lines.some(
        (l) =>
          l.startsWith('warning: The gate cannot report a check or a commit status') &&
          l.includes('checks: write'),
      ),
    ).toBe(true);
  });

  it('talks to GitHub Enterprise Server at GITHUB_API_URL', async () => {
    await report({
      event: 'pull_request',
      action: 'opened',
      verdict: pass,
      github: { pathPrefix: '/api/v3' },
      apiPath: '/api/v3',
    });
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(github.comments.size).toBe(1);
    expect(github.violations).toEqual([]);
  });

  it('sends only the GitHub token to GitHub', async () => {
    await report({ event: 'pull_request', action: 'opened', verdict: pass });
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((r) => r.authorization === `token ${FAKE_GITHUB_TOKEN}`)).toBe(
      true,
    );
  });
});

describe('the sticky comment', () => {
  const pr = () => webhookExample('pull_request', 'opened') as any;

  it('is created once, then edited in place', async () => {
    const payload = pr();
    await report({ event: 'pull_request', verdict: fail, payload });
    const [first] = github.comments.get(payload.pull_request.number) ?? [];
    expect(first?.body).toContain('## ❌ Sepurux Reliability Gate: fail');
    expect(first?.body).toContain(commentMarker('Sepurux Reliability Gate'));
    // A second run of the gate on the same pull request, against the same GitHub.
    await report({ event: 'pull_request', verdict: pass, payload, github });
    const comments = github.comments.get(payload.pull_request.number) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.id).toBe(first?.id);
    expect(comments[0]?.body).toContain('## ✅ Sepurux Reliability Gate: pass');
  });

  it('finds its comment on a later page and ignores the marker in comments by others', async () => {
    const payload = pr();
    const number = payload.pull_request.number;
    const seeded = new FakeGitHub({ pageSize: 2 });
    const marker = commentMarker('Sepurux Reliability Gate');
    seeded.seedComment(number, `copied ${marker}`, { login: 'mallory', type: 'User' });
    for (let i = 0; i < 4; i++)
      seeded.seedComment(number, `chatter ${i}`, { login: 'octocat', type: 'User' });
    seeded.seedComment(number, `old verdict\n${marker}`, ACTIONS_BOT);
    await report({ event: 'pull_request', verdict: pass, payload, github: seeded });
    expect(
      seeded.requests.filter((r) => r.method === 'GET' && r.path.includes('/comments')).length,
    ).toBe(3);
    const comments = seeded.comments.get(number) ?? [];
    expect(comments).toHaveLength(6);
    expect(comments[0]?.body).toBe(`copied ${marker}`);
    expect(comments[5]?.body).toContain('Sepurux Reliability Gate: pass');
    expect(seeded.violations).toEqual([]);
  });

  it('keeps one comment per check name', async () => {
    const payload = pr();
    await report({
      event: 'pull_request',
      verdict: pass,
      payload,
      inputs: { check_name: 'Gate A' },
    });
    expect(github.comments.get(payload.pull_request.number)?.[0]?.body).toContain(
      commentMarker('Gate A'),
    );
    expect(commentMarker('Gate A')).not.toBe(commentMarker('Gate B'));
  });

  it('is not written on events without a pull request, nor with comment: false', async () => {
    await report({ event: 'push', verdict: pass });
    expect(github.comments.size).toBe(0);
    await report({
      event: 'pull_request',
      action: 'opened',
      verdict: pass,
      inputs: { comment: 'false' },
    });
    expect(github.comments.size).toBe(0);
  });

  it("is written for a pull_request_number given on other events, where that pull request's head is the commit gated", async () => {
    const payload = webhookExample('workflow_run', 'completed') as {
      workflow_run: { head_sha: string };
    };
    const fake = new FakeGitHub();
    fake.seedPullRequest(12, payload.workflow_run.head_sha);
    await report({
      event: 'workflow_run',
      verdict: pass,
      inputs: { pull_request_number: '12' },
      payload,
      github: fake,
    });
    expect(github.comments.get(12)).toHaveLength(1);
  });

  it('stays within GitHub limits and escapes a 5,000-scenario batch with hostile tool names', async () => {
    const tools = Array.from({ length: 5000 }, (_, i) => ({
      tool: `<script>x</script>[link](https://evil.test) @everyone | ${'z'.repeat(300)} ${i}`,
      count: 5000 - i,
    }));
    const hostile = decide(
      sepurux,
      {
        decision: 'fail',
        status: 'done',
        ids: { batch_id: 'b' },
        figures: { trace_count: 5000 },
        thresholds: [],
        topFailingTools: tools,
        reason: '<img src=x> @admin',
      },
      10,
    );
    const payload = pr();
    await report({ event: 'pull_request', verdict: hostile, payload });
    const body = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
    const summary = github.checkRuns[0]?.output?.summary ?? '';
    for (const text of [body, summary]) {
      const seen = render(text);
      expect(seen.elements.has('script') || seen.elements.has('img'), text.slice(0, 200)).toBe(
        false,
      );
      expect(seen.links.filter((link) => link.includes('evil'))).toEqual([]);
      expect(mentions(seen)).toEqual([]);
      expect(seen.rows).toContainEqual([`and ${text === body ? 4990 : 4980} more`, '']);
    }
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(github.violations).toEqual([]);
  });
});

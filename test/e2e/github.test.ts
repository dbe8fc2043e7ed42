import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { ACTIONS_BOT, FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { commentMarker } from '../../src/core/render/marker.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { mentions, ENGINES, render } from '../support/render.js';
import { webhookExample } from '../support/webhooks.js';

let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let backend: ServedHandlers;
let api: ServedHandlers;

beforeAll(async () => {
  backend = await serveHandlers(() => sepurux.handlers());
  api = await serveHandlers(() => github.handlers());
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

const pullRequest = () => webhookExample('pull_request', 'opened') as any;
const gate = (
  inputs: Record<string, string>,
  payload = pullRequest(),
  eventName = 'pull_request',
  env: Record<string, string> = {},
) =>
  runAction({
    inputs: {
      base_url: `${backend.origin}/api`,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      ...inputs,
    },
    eventName,
    payload,
    env: { GITHUB_API_URL: api.origin, ...env },
  });

describe('the bundled action on GitHub', () => {
  it('reports the check on the head commit and one comment, edited on the next run', async () => {
    const payload = pullRequest();
    const first = await gate({ campaign_name: 'checkout-regression' }, payload);
    expect(first.exitCode).toBe(1);
    expect(github.checkRuns).toEqual([
      expect.objectContaining({
        name: 'Sepurux Reliability Gate',
        head_sha: payload.pull_request.head.sha,
        status: 'completed',
        conclusion: 'failure',
      }),
    ]);
    expect(github.checkRuns[0]?.details_url).toBe(first.outputs.dashboard_url);
    const comments = () => github.comments.get(payload.pull_request.number) ?? [];
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain('| payments.refund | 3 |');

    const second = await gate({ campaign_name: 'refund-reliability' }, payload);
    expect(second.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain('Sepurux Reliability Gate: pass');
    expect(github.violations).toEqual([]);
  });

  it('never sends a token to the other side', async () => {
    await gate({ campaign_name: 'refund-reliability' });
    const toGitHub = JSON.stringify(github.requests);
    const toBackend = JSON.stringify(sepurux.requests);
    expect(toGitHub).not.toContain(FAKE_TOKEN);
    expect(toBackend).not.toContain(FAKE_GITHUB_TOKEN);
    expect(github.requests.length).toBeGreaterThan(2);
  });

  it('soft mode: the step passes with a warning, the check asks for a human', async () => {
    const run = await gate({ campaign_name: 'checkout-regression', mode: 'soft' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('fail');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('not blocking (mode: soft)'),
      }),
    );
    expect(github.checkRuns[0]?.conclusion).toBe('action_required');
  });

  it('observe mode: the step passes, the check is neutral', async () => {
    const run = await gate({ campaign_name: 'checkout-regression', mode: 'observe' });
    expect(run.exitCode).toBe(0);
    expect(run.annotations).toContainEqual(expect.objectContaining({ level: 'notice' }));
    expect(github.checkRuns[0]?.conclusion).toBe('neutral');
  });

  it('falls back to a commit status on a fork pull request, and the verdict still decides', async () => {
    github = new FakeGitHub({ forbid: { checks: true, comments: true } });
    const payload = pullRequest();
    payload.pull_request.head.repo.full_name = 'someone/Hello-World';
    const run = await gate({ campaign_name: 'checkout-regression' }, payload);
    expect(run.exitCode).toBe(1);
    expect(github.statuses.map((s) => s.state)).toEqual(['pending', 'failure']);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('pull-requests: write'),
      }),
    );
  });

  it('completes the check as failed when the gate times out', async () => {
    const run = await gate({ campaign_name: 'slow-campaign', timeout: '1' });
    expect(run.exitCode).toBe(1);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('completes the check even when the job summary cannot be written, and the step agrees with it', async () => {
    const run = await runAction({
      inputs: {
        base_url: `${backend.origin}/api`,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        github_token: FAKE_GITHUB_TOKEN,
        trace_id: 'trace-1',
        campaign_name: 'refund-reliability',
      },
      eventName: 'pull_request',
      payload: pullRequest(),
      // A directory where the summary file should be: writing it fails.
      env: { GITHUB_API_URL: api.origin, GITHUB_STEP_SUMMARY: tmpdir() },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('pass');
    expect(run.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringMatching(
        /^Could not write the job summary \(.*\); the outputs and the check hold the verdict\.$/,
      ),
    });
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('renders the comment, the check and the summary as a reader should see them', async () => {
    const payload = pullRequest();
    const campaign = sepurux.campaign('refund-reliability');
    campaign.outcome = {
      ...campaign.outcome,
      pass_rate: 0.8,
      top_failing_tools: [
        { tool: '@octocat <img src=x> [x](https://evil.example) | www.evil.example', count: 3 },
        { tool: "refund's_tool", count: 1 },
      ],
    };
    const run = await gate({ campaign_name: 'refund-reliability', min_pass_rate: '0.85' }, payload);
    expect(run.outputs.decision).toBe('fail');
    const surfaces = {
      comment: github.comments.get(payload.pull_request.number)?.[0]?.body ?? '',
      check: github.checkRuns[0]?.output?.summary ?? '',
      summary: run.summary,
    };
    for (const [where, markdown, engine] of Object.entries(surfaces).flatMap(([name, text]) =>
      ENGINES.map((engine) => [`${name} (${engine})`, text, engine] as const),
    )) {
      const seen = render(markdown, engine);
      // The input's name as code, as in its row: no literal backticks.
      expect(seen.text, where).toContain(
        "Sepurux said pass, but the gate's own check fails: pass rate 0.8 < 0.85 (min_pass_rate).",
      );
      expect(seen.html, where).toContain('(<code>min_pass_rate</code>).');
      expect(seen.rows, where).toContainEqual(["refund's_tool", '1']);
      // As written, but for the invisible joiners that keep GitHub from linking and mentioning.
      const visible = seen.rows.map((row) => row.map((cell) => cell.replaceAll('\u200d', '')));
      expect(visible, where).toContainEqual([
        '@octocat <img src=x> [x](https://evil.example) | www.evil.example',
        '3',
      ]);
      expect(mentions(seen), where).toEqual([]);
      expect(seen.elements.has('img'), where).toBe(false);
      expect(
        seen.links.filter((link) => !link.endsWith('/actions/runs/4242')),
        where,
      ).toEqual([run.outputs.dashboard_url]);
    }
    // The comment outlives its run: it names the commit it judged and links the run.
    const comment = render(surfaces.comment);
    expect(comment.text).toContain(`commit ${payload.pull_request.head.sha.slice(0, 12)}`);
    expect(comment.links).toContain('https://github.com/Codertocat/Hello-World/actions/runs/4242');
  });

  it('refuses an event file it cannot read, before any call, rather than judge the merge commit', async () => {
    const run = await gate({ campaign_name: 'refund-reliability' }, pullRequest(), 'pull_request', {
      GITHUB_EVENT_PATH: 'missing/event.json',
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(
      'GITHUB_EVENT_PATH names "missing/event.json", which could not be read (ENOENT)',
    );
    expect(sepurux.requests).toHaveLength(0);
  });

  it('explains the workflow_run pattern when a fork pull request gets no backend secret', async () => {
    const payload = pullRequest();
    payload.pull_request.head.repo.full_name = 'someone/Hello-World';
    const run = await gate({ token: '', campaign_name: 'refund-reliability' }, payload);
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain('workflow_run');
    expect(sepurux.requests).toHaveLength(0);
    // Where the token may write it, the required check says so too, rather than wait forever.
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(github.checkRuns[0]?.output?.summary).toContain('`workflow_run`');
  });
});

describe('two gates on one pull request, and a backend that plants a marker', () => {
  const OTHER = 'Release Gate';
  const comments = (payload: any) => github.comments.get(payload.pull_request.number) ?? [];

  it("a run id equal to another gate's marker does not make that gate edit this gate's comment", async () => {
    const payload = pullRequest();
    sepurux = new FakeSepurux({ runId: () => commentMarker(OTHER) });
    const planted = await gate({ campaign_name: 'refund-reliability' }, payload);
    expect(planted.exitCode, planted.stdout).toBe(0);
    expect(planted.outputs.run_id).toBe(commentMarker(OTHER));
    expect(comments(payload)).toHaveLength(1);
    // Shown in the comment and the check, but as text no look-up reads as a marker.
    const body = comments(payload)[0]!.body;
    expect(body).not.toContain(commentMarker(OTHER));
    expect(render(body).text.replaceAll('\u200d', '')).toContain(commentMarker(OTHER));
    expect(github.checkRuns[0]?.output?.summary).not.toContain(commentMarker(OTHER));

    sepurux = new FakeSepurux();
    const other = await gate({ campaign_name: 'checkout-regression', check_name: OTHER }, payload);
    expect(other.exitCode).toBe(1);
    expect(comments(payload)).toHaveLength(2);
    expect(comments(payload)[0]!.body).toContain('Sepurux Reliability Gate: pass');
    expect(comments(payload)[1]!.body).toContain(`${OTHER}: fail`);
    expect(github.violations).toEqual([]);
  });

  it("a marker carried mid-body into a comment written before is not the gate's: only the last line's is", async () => {
    const payload = pullRequest();
    // Written by an older gate, whose code span kept a planted marker as it was.
    const older = github.seedComment(
      payload.pull_request.number,
      `## ✅ Sepurux Reliability Gate: pass\n\nrun \`${commentMarker(OTHER)}\`\n${commentMarker('Sepurux Reliability Gate')}`,
      ACTIONS_BOT,
    );
    const before = older.body;
    const run = await gate({ campaign_name: 'refund-reliability', check_name: OTHER }, payload);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(comments(payload)).toHaveLength(2);
    expect(comments(payload)[0]!.body).toBe(before);
    expect(comments(payload)[1]!.body).toContain(`${OTHER}: pass`);
  });
});

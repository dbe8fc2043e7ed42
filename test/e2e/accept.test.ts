import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay, http, HttpResponse, type RequestHandler } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/core/baseline/encode.js';
import { commentMarker } from '../../src/core/render/marker.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub, type FakeUser } from '../support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { gateOnPullRequest, pullRequestPayload } from '../support/pull-request.js';
import { ENGINES, mentions, render } from '../support/render.js';
import { type ActionRun, type CancelWhen, runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

/*
 * `/gate accept` and `/gate revoke` (CONTRACT.md, section 9), on the bundled action as the
 * runner starts it for an `issue_comment` event, after a gate run on the pull request.
 */

let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let servers: ServedHandlers[] = [];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

const CHECK = 'Sepurux Reliability Gate';
const MAINTAINER: FakeUser = { login: 'octo-maintainer', type: 'User' };
const origins = () => ({ sepurux: `${servers[0]!.origin}/api`, github: servers[1]!.origin });

/** A failing (or, with `campaign`, another) gate run on the pull request; its head is the pull request's. */
async function gatedPullRequest(campaign = 'checkout-regression') {
  const pr = pullRequestPayload() as ReturnType<typeof pullRequestPayload> & {
    pull_request: { head: { sha: string } };
  };
  github.seedPullRequest(pr.pull_request.number, pr.pull_request.head.sha);
  const run = await gateOnPullRequest(origins(), { campaign_name: campaign }, pr);
  expect(github.violations).toEqual([]);
  return { number: pr.pull_request.number, headSha: pr.pull_request.head.sha, run };
}

/** GitHub's `issue_comment` event for a comment on pull request `number`. */
function commentEvent(
  number: number,
  body: string,
  user: FakeUser = MAINTAINER,
  action = 'created',
): Record<string, unknown> {
  const payload = webhookExample('issue_comment', 'created') as {
    action: string;
    issue: Record<string, unknown>;
    comment: Record<string, unknown> & { user: Record<string, unknown> };
  };
  payload.action = action;
  payload.issue = {
    ...payload.issue,
    number,
    pull_request: {
      url: `https://api.github.com/repos/Codertocat/Hello-World/pulls/${number}`,
      html_url: `https://github.com/Codertocat/Hello-World/pull/${number}`,
    },
  };
  // The comment exists on GitHub, as the one the event is about does.
  const seeded = github.seedComment(number, body, user);
  payload.comment = {
    ...payload.comment,
    id: seeded.id,
    body,
    html_url: `https://github.com/Codertocat/Hello-World/pull/${number}#issuecomment-${seeded.id}`,
    user: { ...payload.comment.user, login: user.login, type: user.type },
    author_association: 'OWNER',
  };
  return payload;
}

/** The action on that comment, as the accept workflow's step runs it. */
function onComment(payload: Record<string, unknown>, inputs: Record<string, string> = {}) {
  return runAction({
    inputs: { github_token: FAKE_GITHUB_TOKEN, ...inputs },
    eventName: 'issue_comment',
    payload,
    env: { GITHUB_API_URL: origins().github },
  });
}

const checksOn = (sha: string) =>
  github.checkRuns.filter((c) => c.head_sha === sha && c.name === CHECK);
const newest = (sha: string) => checksOn(sha).at(-1)!;
const replies = (number: number) =>
  (github.comments.get(number) ?? []).filter(
    (c) => c.user.login === 'github-actions[bot]' && !c.body.includes('agent-reliability-gate:'),
  );
const sticky = (number: number) =>
  (github.comments.get(number) ?? []).find((c) => c.body.trimEnd().endsWith(commentMarker(CHECK)));

function expectNothingChanged(sha: string, before: number, run: ActionRun) {
  expect(run.exitCode).toBe(0);
  expect(checksOn(sha)).toHaveLength(before);
  expect(github.violations).toEqual([]);
}

describe('/gate accept on the bundled action', () => {
  it('accepts a failing verdict: a new passing check holding the verdict, the comment marked, a reply, outputs', async () => {
    const pr = await gatedPullRequest();
    expect(pr.run.outputs.decision).toBe('fail');
    const original = newest(pr.headSha);
    const backendCalls = sepurux.requests.length;
    github.seedRole(MAINTAINER.login, 'maintain');
    const run = await onComment(
      commentEvent(
        pr.number,
        '/gate accept\nThe refund tool regression is known (INC-42); the fix ships next week.',
      ),
      { token: 'a-backend-token-not-read', campaign_name: 'refund-reliability' },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain('so `token`, `campaign_name` are not read');
    expect(sepurux.requests).toHaveLength(backendCalls);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      accepted_by: MAINTAINER.login,
      reason: 'The refund tool regression is known (INC-42); the fix ships next week.',
    });
    // A new check run of that name on the head, success, titled as accepted, the verdict unchanged beneath.
    const accepted = newest(pr.headSha);
    expect(accepted.id).not.toBe(original.id);
    expect(original.conclusion).toBe('failure');
    expect(accepted).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(accepted.output?.title).toBe(
      `Accepted by ${MAINTAINER.login}: ${original.output?.title}`,
    );
    expect(accepted.output?.summary).toContain(original.output!.summary!);
    const shown = render(accepted.output!.summary!);
    expect(shown.text).toContain(`Accepted by ${MAINTAINER.login}`);
    expect(shown.text).toContain('INC-42');
    expect(shown.links).toContain(accepted.details_url);
    expect(accepted.details_url).toMatch(/#issuecomment-\d+$/);
    // The record keeps the gate's decision, and adds who, when and why.
    const record = decodeRecord(accepted.output?.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.decision).toBe('fail');
    expect(record.accepted).toMatchObject({
      by: MAINTAINER.login,
      reason: 'The refund tool regression is known (INC-42); the fix ships next week.',
      conclusion: 'failure',
    });
    // The sticky comment gains the same lines at its top, and is still the gate's one comment.
    const comment = sticky(pr.number)!;
    expect(render(comment.body).text.trimStart()).toMatch(
      new RegExp(`^✅ Accepted by ${MAINTAINER.login}`),
    );
    expect(comment.body).toContain('Sepurux Reliability Gate: fail');
    // The reply says what was done, with a reaction on the command.
    expect(replies(pr.number)).toHaveLength(1);
    expect(render(replies(pr.number)[0]!.body).text).toContain('Accepted the fail verdict');
    expect([...github.reactions.values()]).toEqual([['+1']]);
    // The job summary and the report file carry the acceptance.
    expect(render(run.summary).text).toContain(`Accepted by ${MAINTAINER.login}`);
    const report = JSON.parse(readFileSync(run.outputs.report_file!, 'utf8'));
    expect(report).toMatchObject({
      kind: 'command',
      outcome: 'accepted',
      decision: 'pass',
      headSha: pr.headSha,
      record: { decision: 'fail', accepted: { by: MAINTAINER.login } },
    });
    expect(github.violations).toEqual([]);
  });

  it('reads role_name, not permission: a maintainer GitHub reports as write may accept', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain', 'write');
    const run = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    expect(run.outputs.decision).toBe('pass');
    expect(github.requests.map((r) => r.path)).toContain(
      `/repos/Codertocat/Hello-World/collaborators/${MAINTAINER.login}/permission`,
    );
  });

  it('refuses, changing no check and replying once: below the permission, whatever the comment says of its author', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'write');
    const before = checksOn(pr.headSha).length;
    const run = await onComment(commentEvent(pr.number, '/gate accept\nTrust me.'));
    expectNothingChanged(pr.headSha, before, run);
    expect(run.outputs.accepted_by).toBe('');
    expect(run.outputs.decision).toBe('');
    expect(run.outputs.reason).toContain('their role on Codertocat/Hello-World is write');
    expect(replies(pr.number)).toHaveLength(1);
    expect(render(replies(pr.number)[0]!.body).text).toMatch(
      /was refused: .*asks for maintain at least/,
    );
    expect([...github.reactions.values()]).toEqual([['confused']]);
    // `accept_permission: write` lets the same user accept.
    const allowed = await onComment(commentEvent(pr.number, '/gate accept\nTrust me.'), {
      accept_permission: 'write',
    });
    expect(allowed.outputs.decision).toBe('pass');
  });

  it('refuses a command without a reason, a passing verdict, a gate still running, a head that moved', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'admin');
    const before = checksOn(pr.headSha).length;
    const noReason = await onComment(commentEvent(pr.number, '/gate accept   \n\n  '));
    expectNothingChanged(pr.headSha, before, noReason);
    expect(noReason.outputs.reason).toContain('a reason is required');

    // The head moved since: the new head has no verdict of this gate yet.
    const moved = 'c'.repeat(40);
    github.seedPullRequest(pr.number, moved);
    const stale = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    expectNothingChanged(pr.headSha, before, stale);
    expect(stale.outputs.reason).toContain(
      `the head commit ${moved.slice(0, 12)} has no check "${CHECK}" yet: its gate has not run there`,
    );
    // A step whose check_name is not the gate's is told so, with the checks that are there.
    const misnamed = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'), {
      check_name: 'reliability-gate',
    });
    github.seedPullRequest(pr.number, pr.headSha);
    const named = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'), {
      check_name: 'reliability-gate',
    });
    expect(misnamed.outputs.reason).toContain('has no check "reliability-gate"');
    expect(named.outputs.reason).toContain(
      `the checks there are "${CHECK}": set \`check_name\` (or \`backend\`) to the gate step's`,
    );
    expect(render(replies(pr.number).at(-1)!.body).text).toContain(
      'post the command again in a new comment: an edited comment is not read',
    );
    github.seedPullRequest(pr.number, moved);
    // Its gate is running.
    github.seedCheckRun({ name: CHECK, head_sha: moved, status: 'in_progress' });
    const running = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    expect(running.outputs.reason).toContain('is still running');
    expect(checksOn(moved)).toHaveLength(1);

    const passing = await gatedPullRequest('refund-reliability');
    const passed = await onComment(commentEvent(passing.number, '/gate accept\nKnown.'));
    expect(passed.exitCode).toBe(0);
    expect(passed.outputs.reason).toContain('passed: there is nothing to accept');
    expect(checksOn(passing.headSha).every((c) => !c.output?.title?.startsWith('Accepted'))).toBe(
      true,
    );
    expect(github.violations).toEqual([]);
  });

  it('ignores, posting nothing: an issue, an edited comment, a bot, a comment that is no command, another gate', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'admin');
    const onIssue = commentEvent(pr.number, '/gate accept\nKnown.');
    delete (onIssue.issue as Record<string, unknown>).pull_request;
    const cases = [
      onIssue,
      commentEvent(pr.number, '/gate accept\nKnown.', MAINTAINER, 'edited'),
      commentEvent(pr.number, '/gate accept\nKnown.', MAINTAINER, 'deleted'),
      commentEvent(pr.number, '/gate accept\nKnown.', { login: 'renovate[bot]', type: 'Bot' }),
      commentEvent(pr.number, 'LGTM, but /gate accept\nKnown.'),
      commentEvent(pr.number, '/gate acceptance\nKnown.'),
      commentEvent(pr.number, '/GATE ACCEPT\nKnown.'),
      commentEvent(pr.number, '/gate accept TruLayer Eval Gate\nKnown.'),
    ];
    // Another step's gate, whose check is on the head: its step answers, not this one.
    github.seedCheckRun({
      name: 'TruLayer Eval Gate',
      head_sha: pr.headSha,
      status: 'completed',
      conclusion: 'failure',
    });
    const before = checksOn(pr.headSha).length;
    const requests = github.requests.length;
    for (const payload of cases) {
      const run = await onComment(payload);
      expectNothingChanged(pr.headSha, before, run);
      expect(run.stdout).toContain('Nothing was posted');
    }
    expect(github.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(replies(pr.number)).toEqual([]);
    // Someone who may not accept gets no answer to a name no check has: nothing for anyone to provoke.
    const driveBy = await onComment(
      commentEvent(pr.number, '/gate accept spam spam', { login: 'drive-by', type: 'User' }),
    );
    expectNothingChanged(pr.headSha, before, driveBy);
    expect(replies(pr.number)).toEqual([]);
    // A reason written on the command's line names no check there: no step would answer, so this one refuses.
    const onTheLine = await onComment(commentEvent(pr.number, '/gate accept known flake INC-42'));
    expectNothingChanged(pr.headSha, before, onTheLine);
    expect(replies(pr.number)).toHaveLength(1);
    expect(render(replies(pr.number)[0]!.body).text).toContain(
      'has no check "known flake INC-42" (the checks there are "Sepurux Reliability Gate", "TruLayer Eval Gate"). After `/gate accept` the first line takes only a check\'s exact name; write the reason on the lines after it',
    );
    // Naming this step's own check is the command for it.
    const named = await onComment(commentEvent(pr.number, `/gate accept   ${CHECK}  \nKnown.`));
    expect(named.outputs.decision).toBe('pass');
  });

  it('escapes a hostile reason everywhere it is shown: no mention, reference, HTML, link or workflow command', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    const hostile = [
      '@octocat @acme/security please look, see #12 and Codertocat/Hello-World#3, GH-7',
      '<img src=x onerror=alert(1)> <details><summary>x</summary> [click](https://evil.example) ![i](https://evil.example/i.png)',
      '::error::forged failure',
      '##[set-output name=decision]pass',
      '<!-- agent-reliability-gate:record:v1:AAAA --> </details> | a | b |',
      'commit deadbeefcafe and \u202eevil\u202c',
    ].join('\n');
    const run = await onComment(commentEvent(pr.number, `/gate accept\n${hostile}`));
    expect(run.outputs.decision).toBe('pass');
    expect(run.annotations).toEqual([]);
    const bodies = [
      newest(pr.headSha).output!.summary!,
      sticky(pr.number)!.body,
      replies(pr.number)[0]!.body,
      run.summary,
    ];
    for (const body of bodies)
      for (const engine of ENGINES) {
        const shown = render(body, engine);
        expect(mentions(shown)).toEqual([]);
        expect([...shown.elements].filter((e) => ['img', 'script'].includes(e))).toEqual([]);
        expect(shown.text).not.toContain('\u202e');
      }
    // The record is still one, the gate's, and reads back.
    const record = decodeRecord(newest(pr.headSha).output?.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.accepted?.reason).toBe(hostile.replace(/\r/g, ''));
    expect(github.violations).toEqual([]);
  });

  it('/gate revoke puts the original conclusion back; a push gates afresh; an accepted verdict is no baseline', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    const again = await onComment(commentEvent(pr.number, '/gate accept\nAgain.'));
    expect(again.outputs.reason).toContain('already accepted');
    const revoke = await onComment(commentEvent(pr.number, '/gate revoke\nThe fix did not ship.'));
    expect(revoke.exitCode).toBe(0);
    expect(revoke.outputs.decision).toBe('fail');
    expect(revoke.outputs.accepted_by).toBe('');
    const revoked = newest(pr.headSha);
    expect(revoked.conclusion).toBe('failure');
    expect(revoked.output?.title).toMatch(
      new RegExp(`^Acceptance revoked by ${MAINTAINER.login}: `),
    );
    const record = decodeRecord(revoked.output?.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.accepted).toBeUndefined();
    expect(record.revoked?.by).toBe(MAINTAINER.login);
    expect(render(sticky(pr.number)!.body).text).toContain(
      `Acceptance revoked by ${MAINTAINER.login}`,
    );
    expect(render(sticky(pr.number)!.body).text).not.toContain('✅ Accepted by');
    const nothing = await onComment(commentEvent(pr.number, '/gate revoke'));
    expect(nothing.outputs.reason).toContain('is not accepted: there is nothing to revoke');

    // Accepted again, then a push: the new head's own gate run decides, and its comment carries no acceptance.
    await onComment(commentEvent(pr.number, '/gate accept\nKnown after all.'));
    const pushed = pullRequestPayload() as ReturnType<typeof pullRequestPayload> & {
      pull_request: { head: { sha: string } };
    };
    pushed.pull_request.head.sha = 'd'.repeat(40);
    github.seedPullRequest(pr.number, pushed.pull_request.head.sha);
    const fresh = await gateOnPullRequest(
      origins(),
      { campaign_name: 'checkout-regression' },
      pushed,
    );
    expect(fresh.outputs.decision).toBe('fail');
    expect(newest(pushed.pull_request.head.sha).conclusion).toBe('failure');
    expect(render(sticky(pr.number)!.body).text).not.toContain('Accepted by');

    // The accepted commit as a base commit: its verdict is no baseline.
    const next = pullRequestPayload() as ReturnType<typeof pullRequestPayload> & {
      pull_request: { number: number; head: { sha: string }; base: { sha: string } };
    };
    next.pull_request.number += 1;
    next.pull_request.base.sha = pr.headSha;
    next.pull_request.head.sha = 'e'.repeat(40);
    github.seedPullRequest(next.pull_request.number, next.pull_request.head.sha);
    const later = await gateOnPullRequest(
      origins(),
      { campaign_name: 'refund-reliability', max_pass_rate_drop: '0.05' },
      next,
    );
    expect(later.outputs.baseline_sha).toBe('');
    expect(later.summary).toContain('an accepted verdict is no baseline');
    expect(github.violations).toEqual([]);
  });
});

describe('/gate accept against a hostile GitHub', () => {
  it("refuses another app's newer verdict without turning the check into a pass: the check begun repeats this app's own failure", async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    const forged: Partial<ReturnType<typeof newest>> = { ...newest(pr.headSha) };
    delete forged.id;
    // Another app posts a newer run of the check, with a record that says warn.
    github.seedCheckRun({
      ...(forged as Omit<ReturnType<typeof newest>, 'id'>),
      app: 'someone-else',
      conclusion: 'neutral',
    });
    const run = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    expect(run.exitCode).toBe(0);
    expect(run.outputs.accepted_by).toBe('');
    expect(run.outputs.reason).toContain('was written by someone-else, not by github-actions');
    const ours = checksOn(pr.headSha).filter(
      (c) => (c.app ?? 'github-actions') === 'github-actions',
    );
    expect(ours.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(ours.every((c) => c.conclusion !== 'success' && c.conclusion !== 'neutral')).toBe(true);
  });

  it('refuses on a closed or merged pull request, and never quotes the token GitHub echoed in an error', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'admin');
    github.seedPullRequest(pr.number, pr.headSha, { merged: true });
    const before = checksOn(pr.headSha).length;
    const merged = await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    expectNothingChanged(pr.headSha, before, merged);
    expect(merged.outputs.reason).toContain(
      'is merged: an acceptance is for the head of an open pull request',
    );

    // A GitHub that quotes the token in its error message: it reaches neither the reply nor the outputs.
    github.seedPullRequest(pr.number, pr.headSha);
    github.roles.clear();
    const leaky = new FakeGitHub();
    leaky.seedPullRequest(pr.number, pr.headSha);
    const served = await serveHandlers(() => [
      http.get('*/collaborators/:user/permission', () =>
        HttpResponse.json({ message: `forbidden for token ${FAKE_GITHUB_TOKEN}` }, { status: 403 }),
      ),
      ...leaky.handlers(),
    ]);
    try {
      const payload = commentEvent(pr.number, '/gate accept\nKnown.');
      leaky.seedComment(pr.number, 'x', MAINTAINER);
      const run = await runAction({
        inputs: { github_token: FAKE_GITHUB_TOKEN },
        eventName: 'issue_comment',
        payload,
        env: { GITHUB_API_URL: served.origin },
      });
      expect(run.exitCode).toBe(1);
      const everything = JSON.stringify([...leaky.comments.values(), run.outputs, run.summary]);
      expect(everything).toContain('forbidden for token');
      expect(everything).not.toContain(FAKE_GITHUB_TOKEN);
    } finally {
      await served.close();
    }
  });

  it('a gate run begun while /gate revoke is carried out: the check begun fails, never repeating the accepted pass above it', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    await onComment(commentEvent(pr.number, '/gate accept\nKnown.'));
    // The gate starts again on the head just before the command's own check run is created.
    let racing = true;
    const served = await serveHandlers(() => [
      http.post('*/check-runs', () => {
        if (racing)
          github.seedCheckRun({ name: CHECK, head_sha: pr.headSha, status: 'in_progress' });
        racing = false;
        return undefined;
      }),
      ...github.handlers(),
    ]);
    try {
      const run = await runAction({
        inputs: { github_token: FAKE_GITHUB_TOKEN },
        eventName: 'issue_comment',
        payload: commentEvent(pr.number, '/gate revoke\nChanged my mind.'),
        env: { GITHUB_API_URL: served.origin },
      });
      expect(run.exitCode).toBe(0);
      expect(run.outputs.reason).toContain('began again');
      expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(github.violations).toEqual([]);
    } finally {
      await served.close();
    }
  });

  it("a refused command's check is passed over: the next command reads the verdict beneath it", async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    const verdict = checksOn(pr.headSha)[0]!;
    // The gate starts again just before the command's own check is created, and is refused for it.
    let raced: ReturnType<typeof github.seedCheckRun> | undefined;
    const served = await serveHandlers(() => [
      http.post('*/check-runs', () => {
        raced ??= github.seedCheckRun({ name: CHECK, head_sha: pr.headSha, status: 'in_progress' });
        return undefined;
      }),
      ...github.handlers(),
    ]);
    try {
      const refused = await runAction({
        inputs: { github_token: FAKE_GITHUB_TOKEN },
        eventName: 'issue_comment',
        payload: commentEvent(pr.number, '/gate accept\nKnown.'),
        env: { GITHUB_API_URL: served.origin },
      });
      expect(refused.outputs.reason).toContain('began again');
    } finally {
      await served.close();
    }
    expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // The gate's run finishes, failing again; the refusal's check is newer than it.
    Object.assign(raced!, { status: 'completed', conclusion: 'failure', output: verdict.output });
    const accepted = await onComment(commentEvent(pr.number, '/gate accept\nKnown, still.'));
    expect(accepted.outputs.decision, accepted.outputs.reason).toBe('pass');
    expect(newest(pr.headSha)).toMatchObject({ conclusion: 'success' });
    const revoked = await onComment(commentEvent(pr.number, '/gate revoke\nNo.'));
    expect(revoked.outputs.decision, revoked.outputs.reason).toBe('fail');
    expect(github.violations).toEqual([]);
  });

  it('a completion GitHub refuses leaves no check in progress, and a name past the twentieth check still counts', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    let refuse = true;
    const served = await serveHandlers(() => [
      http.patch('*/check-runs/:id', () => {
        if (!refuse) return undefined;
        refuse = false;
        return HttpResponse.json({ message: 'Validation Failed' }, { status: 422 });
      }),
      ...github.handlers(),
    ]);
    try {
      const run = await runAction({
        inputs: { github_token: FAKE_GITHUB_TOKEN },
        eventName: 'issue_comment',
        payload: commentEvent(pr.number, '/gate accept\nKnown.'),
        env: { GITHUB_API_URL: served.origin },
      });
      expect(run.exitCode).toBe(1);
      expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    } finally {
      await served.close();
    }
    // 25 other checks on the head: the 24th is another step's, whatever the reply lists.
    for (let i = 1; i <= 25; i++)
      github.seedCheckRun({
        name: `ci job ${i}`,
        head_sha: pr.headSha,
        status: 'completed',
        conclusion: 'success',
      });
    const before = replies(pr.number).length;
    const other = await onComment(commentEvent(pr.number, '/gate accept ci job 24\nKnown.'));
    expect(other.stdout).toContain('Nothing was posted');
    expect(replies(pr.number)).toHaveLength(before);
    const none = await onComment(commentEvent(pr.number, '/gate accept ci job 99\nKnown.'));
    expect(none.outputs.reason).toMatch(/"ci job 19" and 6 more\)/);
  });
});

describe('/gate accept that must complete its own check: a cancel, a slow GitHub', () => {
  /** The command on `payload` against GitHub behind `handlers` (then the fake), cancelled by the runner when `cancelWhen` says. */
  async function onCommentThrough(
    handlers: RequestHandler[],
    payload: Record<string, unknown>,
    cancelWhen?: CancelWhen,
  ) {
    const served = await serveHandlers(() => [...handlers, ...github.handlers()]);
    try {
      return await runAction({
        inputs: { github_token: FAKE_GITHUB_TOKEN },
        eventName: 'issue_comment',
        payload,
        env: { GITHUB_API_URL: served.origin },
        ...(cancelWhen ? { cancelWhen } : {}),
      });
    } finally {
      await served.close();
    }
  }

  it("a cancel while the head's checks are read again: the check begun is completed before SIGTERM, and a later command is carried out", async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    // Once the command's check has begun, GitHub never answers the second read of the head's checks.
    let begun = false;
    let rereading = false;
    const run = await onCommentThrough(
      [
        http.post('*/check-runs', () => {
          begun = true;
        }),
        http.get('*/commits/:ref/check-runs', async () => {
          if (!begun) return;
          rereading = true;
          await delay('infinite');
        }),
      ],
      commentEvent(pr.number, '/gate accept\nKnown.'),
      { when: () => rereading, signal: 'runner' },
    );
    expect(run.signalledAt).toBeDefined();
    expect(run.exitedAt - run.signalledAt!).toBeLessThan(7_500);
    expect(checksOn(pr.headSha).filter((c) => c.status !== 'completed')).toEqual([]);
    // Nothing passes by a cancelled command: the check begun repeats the gate's failure.
    expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const again = await onComment(commentEvent(pr.number, '/gate accept\nKnown, again.'));
    expect(again.outputs.decision, again.outputs.reason).toBe('pass');
    expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(github.violations).toEqual([]);
  }, 30_000);

  it('a GitHub slow enough to spend the 60 s budget before the completion: the check begun is still completed', async () => {
    const pr = await gatedPullRequest();
    github.seedRole(MAINTAINER.login, 'maintain');
    // Every read takes 16 s (each within the 20 s a call may take), a check's completion 2 s.
    const run = await onCommentThrough(
      [
        http.get('*', async () => {
          await delay(16_000);
        }),
        http.patch('*/check-runs/:id', async () => {
          await delay(2_000);
        }),
      ],
      commentEvent(pr.number, '/gate accept\nKnown.'),
    );
    expect(run.durationMs).toBeLessThan(65_000);
    expect(checksOn(pr.headSha).filter((c) => c.status !== 'completed')).toEqual([]);
    expect(newest(pr.headSha)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const again = await onComment(commentEvent(pr.number, '/gate accept\nKnown, again.'));
    expect(again.outputs.decision, again.outputs.reason).toBe('pass');
    expect(github.violations).toEqual([]);
  }, 90_000);
});

describe('/gate accept in a many-gates workflow (`config`)', () => {
  it('finds and accepts the step\'s one check, "Reliability gates"', async () => {
    const pr = pullRequestPayload() as ReturnType<typeof pullRequestPayload> & {
      pull_request: { head: { sha: string } };
    };
    const headSha = pr.pull_request.head.sha;
    github.seedPullRequest(pr.pull_request.number, headSha);
    github.seedPullFiles(pr.pull_request.number, ['agents/checkout/prompt.md']);
    const workspace = scratchDir('accept-gates');
    mkdirSync(join(workspace, '.github'), { recursive: true });
    writeFileSync(
      join(workspace, '.github/reliability-gates.yml'),
      'gates:\n  - name: checkout\n    paths: agents/checkout/**\n    campaign_name: checkout-regression\n',
    );
    const config = { config: '.github/reliability-gates.yml' };
    const gate = await runAction({
      inputs: {
        base_url: origins().sepurux,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        github_token: FAKE_GITHUB_TOKEN,
        trace_id: 'trace-1',
        ...config,
      },
      eventName: 'pull_request',
      payload: pr,
      env: { GITHUB_API_URL: origins().github },
      cwd: workspace,
    });
    expect(gate.outputs.decision, gate.outputs.reason).toBe('fail');
    const gates = () => github.checkRuns.filter((c) => c.name === 'Reliability gates');
    expect(gates()).toEqual([expect.objectContaining({ conclusion: 'failure' })]);
    github.seedRole(MAINTAINER.login, 'maintain');
    // The accept workflow's step carries the same `with:` as the gate's, `config` included.
    const run = await runAction({
      inputs: { github_token: FAKE_GITHUB_TOKEN, ...config },
      eventName: 'issue_comment',
      payload: commentEvent(pr.pull_request.number, '/gate accept\nKnown.'),
      env: { GITHUB_API_URL: origins().github },
      cwd: workspace,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    expect(gates().at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(github.checkRuns.filter((c) => c.name === CHECK)).toEqual([]);
    expect(github.violations).toEqual([]);
  });
});

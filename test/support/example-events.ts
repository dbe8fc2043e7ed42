import type { FakeGitHub } from './fake-github.js';
import { webhookExample } from './webhooks.js';
import type { WorkflowEvent } from './workflow.js';

/**
 * The payload of each event an example triggers on: GitHub's own examples, and the commit a
 * check should land on; what the event names (the pull request, its files, a commenter's role) is
 * seeded in `github`.
 */
export function eventFor(
  name: string,
  github: FakeGitHub,
): WorkflowEvent & { headSha: string; baseSha?: string } {
  if (name === 'pull_request') {
    const payload = webhookExample('pull_request', 'opened') as {
      pull_request: { number: number; head: { sha: string }; base: { sha: string } };
    };
    // Onto main's commit, the base commit a fork-safe workflow_run reads from GitHub.
    github.seedPullRequest(
      payload.pull_request.number,
      payload.pull_request.head.sha,
      undefined,
      payload.pull_request.base.sha,
    );
    // What the pull request changes: one agent of the repository of three (examples/reliability-gates.yml).
    github.seedPullFiles(payload.pull_request.number, ['agents/support/prompt.md', 'README.md']);
    return {
      name,
      payload,
      headSha: payload.pull_request.head.sha,
      baseSha: payload.pull_request.base.sha,
    };
  }
  if (name === 'merge_group') {
    const payload = webhookExample('merge_group') as {
      merge_group: { head_sha: string; base_sha: string };
    };
    return {
      name,
      payload,
      headSha: payload.merge_group.head_sha,
      baseSha: payload.merge_group.base_sha,
    };
  }
  if (name === 'issue_comment') {
    // A maintainer's `/gate accept` on a pull request whose gate failed (the head's check is seeded below).
    const pull = eventFor('pull_request', github);
    const number = (pull.payload.pull_request as { number: number }).number;
    const payload = webhookExample('issue_comment', 'created') as {
      issue: Record<string, unknown>;
      comment: Record<string, unknown> & { user: Record<string, unknown> };
    };
    const body = '/gate accept\nA known regression, traded for the new refund flow.';
    const comment = github.seedComment(number, body, { login: 'octo-maintainer', type: 'User' });
    github.seedRole('octo-maintainer', 'maintain');
    payload.issue = {
      ...payload.issue,
      number,
      pull_request: { url: 'https://api.github.com/pr' },
    };
    payload.comment = {
      ...payload.comment,
      id: comment.id,
      body,
      user: { ...payload.comment.user, login: 'octo-maintainer', type: 'User' },
    };
    return { name, payload, headSha: pull.headSha };
  }
  if (name === 'push') {
    const payload = webhookExample('push') as { after: string };
    return { name, payload, headSha: payload.after };
  }
  throw new Error(`no payload for ${name}: add one to test/support/example-events.ts`);
}

/** GitHub's `workflow_run` event for a successful run of `event` that built `headSha`, listing `pullRequests`. */
export function workflowRunOf(
  event: string,
  headSha: string,
  pullRequests: number[],
): WorkflowEvent {
  const payload = webhookExample('workflow_run', 'completed') as {
    workflow_run: Record<string, unknown>;
  };
  payload.workflow_run = {
    ...payload.workflow_run,
    event,
    conclusion: 'success',
    head_sha: headSha,
    pull_requests: pullRequests.map((number) => ({ number, head: { sha: headSha } })),
  };
  return { name: 'workflow_run', payload };
}

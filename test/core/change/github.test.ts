import { describe, expect, it } from 'vitest';
import { readTarget } from '../../../src/core/change/github.js';
import { TEST_ENV } from '../../support/gate.js';
import { webhookExample } from '../../support/webhooks.js';

describe('readTarget', () => {
  it.each([
    [
      'pull_request',
      'opened',
      (p: any) => p.pull_request.head.sha,
      (p: any) => p.pull_request.number,
    ],
    [
      'pull_request_target',
      'opened',
      (p: any) => p.pull_request.head.sha,
      (p: any) => p.pull_request.number,
    ],
    ['workflow_run', 'completed', (p: any) => p.workflow_run.head_sha, () => undefined],
    ['merge_group', 'checks_requested', (p: any) => p.merge_group.head_sha, () => undefined],
    ['push', undefined, () => TEST_ENV.GITHUB_SHA, () => undefined],
  ])('%s: the commit and pull request come from the event', (event, action, sha, number) => {
    const payload = webhookExample(event, action);
    const target = readTarget(event, payload, TEST_ENV);
    expect(target.headSha).toBe(sha(payload));
    expect(target.headSha).not.toBe(event === 'push' ? undefined : TEST_ENV.GITHUB_SHA);
    expect(target.pullRequestNumber).toBe(number(payload));
  });

  it('reads the pull request of a workflow_run from its pull_requests', () => {
    const payload = webhookExample('workflow_run', 'completed') as any;
    payload.workflow_run.pull_requests = [{ number: 17 }];
    expect(readTarget('workflow_run', payload, TEST_ENV).pullRequestNumber).toBe(17);
  });

  it("reads a workflow_run's default branch, only when it is a branch name", () => {
    const payload = webhookExample('workflow_run', 'completed') as any;
    const branch = (value: unknown) => {
      payload.repository.default_branch = value;
      return readTarget('workflow_run', payload, TEST_ENV).defaultBranch;
    };
    expect(branch('main')).toBe('main');
    expect(branch('release/2.x')).toBe('release/2.x');
    for (const odd of [
      '',
      7,
      null,
      'a b',
      'a..b',
      '-x',
      'x/',
      'x.lock',
      'a`b',
      'a\nb',
      'x'.repeat(256),
    ])
      expect(branch(odd), JSON.stringify(odd)).toBeUndefined();
    // Only a workflow_run's hand-over is checked against it.
    expect(
      readTarget('push', { repository: { default_branch: 'main' } }, TEST_ENV).defaultBranch,
    ).toBeUndefined();
  });

  it('keys the gate to the run attempt and step', () => {
    const first = readTarget('push', {}, TEST_ENV).gateKey;
    expect(readTarget('push', {}, TEST_ENV).gateKey).toBe(first);
    expect(readTarget('push', {}, { ...TEST_ENV, GITHUB_RUN_ATTEMPT: '2' }).gateKey).not.toBe(
      first,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { readGateCommand } from '../../../../src/report/github/accept/command.js';
import { reaches } from '../../../../src/report/github/accept/permission.js';
import {
  ACCEPTANCE_START,
  originalVerdict,
  checkSummary,
  withBlockOnTop,
} from '../../../../src/report/github/accept/render.js';

const event = (body: string, overrides: Record<string, unknown> = {}) => ({
  action: 'created',
  issue: { number: 7, pull_request: { url: 'https://api.github.com/pr/7' } },
  comment: {
    id: 11,
    body,
    html_url: 'https://github.com/c/11',
    user: { login: 'ann', type: 'User' },
  },
  ...overrides,
});

describe('reading /gate accept from a comment', () => {
  it('takes the trimmed first line as the command, an optional check name, the rest as the reason', () => {
    expect(readGateCommand(event('  /gate accept  \r\nKnown.\r\n\r\nSecond line. '))).toEqual({
      verb: 'accept',
      reason: 'Known.\n\nSecond line.',
      pullRequestNumber: 7,
      comment: { id: 11, url: 'https://github.com/c/11', author: 'ann' },
    });
    expect(readGateCommand(event('/gate accept  TruLayer Eval Gate \nwhy'))).toMatchObject({
      checkName: 'TruLayer Eval Gate',
    });
    expect(readGateCommand(event('/gate revoke'))).toMatchObject({ verb: 'revoke', reason: '' });
  });

  it('ignores what is no command, and throws on a payload GitHub does not send', () => {
    for (const body of ['/gate', '/gate acceptance', '/Gate accept', 'please /gate accept', ''])
      expect(readGateCommand(event(body))).toHaveProperty('ignored');
    expect(readGateCommand(event('/gate accept\nx', { action: 'edited' }))).toHaveProperty(
      'ignored',
    );
    expect(
      readGateCommand(event('/gate accept\nx', { issue: { number: 7, pull_request: null } })),
    ).toHaveProperty('ignored');
    expect(
      readGateCommand({
        ...event('/gate accept\nx'),
        comment: {
          id: 1,
          body: '/gate accept\nx',
          user: { login: 'dependabot[bot]', type: 'User' },
        },
      }),
    ).toHaveProperty('ignored');
    expect(() => readGateCommand({ action: 'created' })).toThrow(
      /does not read as GitHub sends it/,
    );
  });
});

describe('roles', () => {
  it('orders GitHub roles: maintain reaches write, write does not reach maintain, triage reaches nothing', () => {
    expect(reaches('maintain', 'write')).toBe(true);
    expect(reaches('write', 'maintain')).toBe(false);
    expect(reaches('admin', 'admin')).toBe(true);
    expect(reaches('triage', 'write')).toBe(false);
  });
});

describe("an acceptance's lines", () => {
  it('replace an earlier acceptance at the top of a comment, and keep the verdict beneath a check', () => {
    const once = withBlockOnTop('the verdict', 'accepted');
    const twice = withBlockOnTop(once, 'revoked');
    expect(twice.startsWith(ACCEPTANCE_START)).toBe(true);
    expect(twice).not.toContain('accepted');
    expect(twice.endsWith('the verdict')).toBe(true);
    const summary = checkSummary('accepted', 'the verdict', 1000);
    expect(originalVerdict(summary)).toBe('the verdict');
    expect(originalVerdict(checkSummary('revoked', originalVerdict(summary), 1000))).toBe(
      'the verdict',
    );
    expect(checkSummary('x', 'y'.repeat(5000), 1000).length).toBeLessThanOrEqual(1000);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createGitHub } from '../../src/github/octokit.js';
import { CheckReport } from '../../src/reporters/check.js';
import { FaultyServer } from '../support/faults.js';
import { memoryLog } from '../support/gate.js';

let api: FaultyServer | undefined;
afterEach(async () => api?.stop());

describe('the GitHub client', () => {
  it('times out a request GitHub never answers, and the check falls back instead of hanging', async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', { kind: 'hang' }).on('POST', '/statuses/', { kind: 'status', status: 201, body: JSON.stringify({ id: 1, state: 'pending' }) });
    const log = memoryLog();
    const started = Date.now();
    await CheckReport.start(createGitHub('ghs_token', api.origin, log, 300), { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' }, log);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(api.requestsTo('POST', '/check-runs')).toHaveLength(1);
    expect(api.requestsTo('POST', '/statuses/')).toHaveLength(1);
    expect(log.lines.some((line) => line.startsWith('No check run') && line.includes('reporting a commit status "Gate" instead'))).toBe(true);
  });

  it('retries a GitHub server error', async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', { kind: 'status', status: 502, body: '{"message":"Bad gateway"}' }, { kind: 'status', status: 201, body: JSON.stringify({ id: 7 }) });
    const log = memoryLog();
    await CheckReport.start(createGitHub('ghs_token', api.origin, log), { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' }, log);
    expect(api.requestsTo('POST', '/check-runs')).toHaveLength(2);
    expect(log.lines).toContain(`Check "Gate" started on ${'a'.repeat(40)}.`);
  });
});

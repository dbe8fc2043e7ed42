import { afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/core/support/deadline.js';
import { createGitHub } from '../../../src/report/github/octokit.js';
import { CheckReport } from '../../../src/report/github/check.js';
import { FaultyServer } from '../../support/faults.js';
import { memoryLog } from '../../support/gate.js';

let api: FaultyServer | undefined;
afterEach(async () => api?.stop());

describe('the GitHub client', () => {
  it('times out a request GitHub never answers, and the check falls back instead of hanging', async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', { kind: 'hang' }).on('POST', '/statuses/', {
      kind: 'status',
      status: 201,
      body: JSON.stringify({ id: 1, state: 'pending' }),
    });
    const log = memoryLog();
    const started = Date.now();
    await CheckReport.start(
      createGitHub('ghs_token', api.origin, log, new Deadline(60_000), 300),
      { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' },
      log,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(api.requestsTo('POST', '/check-runs')).toHaveLength(1);
    expect(api.requestsTo('POST', '/statuses/')).toHaveLength(1);
    expect(
      log.lines.some(
        (line) =>
          line.startsWith('No check run') &&
          line.includes('reporting a commit status "Gate" instead'),
      ),
    ).toBe(true);
  });

  it('bounds every call by one shared budget: a GitHub that never answers costs the budget, not 20 s a call', async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', { kind: 'hang' }).on('POST', '/statuses/', { kind: 'hang' });
    const log = memoryLog();
    const started = Date.now();
    await CheckReport.start(
      createGitHub('ghs_token', api.origin, log, new Deadline(800)),
      { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' },
      log,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(
      log.lines.some((line) =>
        line.startsWith('warning: The gate cannot report a check or a commit status'),
      ),
    ).toBe(true);
  });

  it('stops calls under way when the budget is cut short (a cancelled job)', async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', { kind: 'hang' }).on('POST', '/statuses/', { kind: 'hang' });
    const log = memoryLog();
    const budget = new Deadline(60_000);
    const started = Date.now();
    setTimeout(() => budget.shorten(0), 200);
    await CheckReport.start(
      createGitHub('ghs_token', api.origin, log, budget),
      { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' },
      log,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(api.requestsTo('POST', '/statuses/')).toHaveLength(0);
  });

  it("retries a GitHub server error, but never a check's create, which GitHub may have made", async () => {
    api = await new FaultyServer().start();
    api.on('POST', '/check-runs', {
      kind: 'status',
      status: 502,
      body: '{"message":"Bad gateway"}',
    });
    api.on(
      'POST',
      '/statuses/',
      { kind: 'status', status: 502, body: '{"message":"Bad gateway"}' },
      { kind: 'status', status: 201, body: JSON.stringify({ id: 8 }) },
    );
    const log = memoryLog();
    await CheckReport.start(
      createGitHub('ghs_token', api.origin, log, new Deadline(60_000)),
      { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), name: 'Gate' },
      log,
    );
    // Sent again, a create GitHub carried out would make a second check, left in progress.
    expect(api.requestsTo('POST', '/check-runs')).toHaveLength(1);
    // The commit status it falls back to is retried as any call is.
    expect(api.requestsTo('POST', '/statuses/')).toHaveLength(2);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux, WORLD_EVENTS } from './fake-sepurux.js';
import { REPOSITORY_ROOT } from './runner.js';
import { type ServedHandlers, serveHandlers } from './serve.js';

// The fake the tests, the demo and `npm run fake-backend` share is held to the contract's API (section 2).
let fake = new FakeSepurux();
let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
});
beforeEach(() => {
  fake = new FakeSepurux();
});
afterAll(() => server.close());

const headers = {
  'X-API-Key': FAKE_TOKEN,
  'X-Project-Id': FAKE_PROJECT_ID,
  'Content-Type': 'application/json',
};
const call = async (path: string, body?: unknown) => {
  const answer = await fetch(`${server.origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
};
const trace = (file: string): unknown =>
  JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'examples/traces', file), 'utf8'));

/** Uploads `file`, runs it on `campaign` with `thresholds`, and returns the finished run. */
async function runOf(file: string, campaign: string, thresholds = { min_pass_rate: 0.85 }) {
  const { json: uploaded } = await call('/api/backend/v1/traces', trace(file));
  const { json: started } = await call('/api/backend/v1/ci/runs', {
    trace_id: uploaded.trace_id,
    campaign_id: fake.campaign(campaign).id,
    thresholds,
    repo: 'acme/agents',
  });
  return (await call(`/api/backend/v1/ci/runs/${String(started.run_id)}`)).json;
}

describe('the fake Sepurux decides by the trace sent', () => {
  it.each(['refund-reliability', 'support-reliability', 'refund-noisy', 'scenario-pool'])(
    "the demo's regressing trace (examples/traces/checkout_flow.json) fails on %s",
    async (campaign) => {
      const run = await runOf('checkout_flow.json', campaign);
      expect(run).toMatchObject({ status: 'done', decision: 'fail', pass_rate: 0.72 });
    },
  );

  it.each([
    ['refund_flow.json', 'refund-reliability'],
    ['support.json', 'support-reliability'],
    ['billing.json', 'billing-reliability'],
    ['refunds.json', 'refunds-reliability'],
  ])('%s passes on %s', async (file, campaign) => {
    expect(await runOf(file, campaign)).toMatchObject({ decision: 'pass', pass_rate: 0.92 });
  });

  it('a trace it never saw (an id the user had) keeps its campaign outcome', async () => {
    const { json: started } = await call('/v1/ci/runs', {
      trace_id: 'trace-1',
      campaign_id: fake.campaign('refund-reliability').id,
      thresholds: {},
      repo: 'acme/agents',
    });
    expect((await call(`/v1/ci/runs/${String(started.run_id)}`)).json.decision).toBe('pass');
  });
});

describe('the fake Sepurux answers the events endpoints', () => {
  it("with the regression's events for a run of the regressing trace, an empty list for any other", async () => {
    const failing = await runOf('checkout_flow.json', 'refund-reliability');
    const passing = await runOf('refund_flow.json', 'refund-reliability');
    for (const source of ['policy', 'security'] as const) {
      const events = `${source}-events`;
      expect(await call(`/v1/runs/${String(failing.run_id)}/${events}`)).toEqual({
        status: 200,
        json: WORLD_EVENTS[source],
      });
      expect(await call(`/v1/runs/${String(passing.run_id)}/${events}`)).toEqual({
        status: 200,
        json: [],
      });
    }
  });

  it('with a 404 when told to play a server without them', async () => {
    fake = new FakeSepurux({ events: () => undefined });
    const failing = await runOf('checkout_flow.json', 'refund-reliability');
    expect((await call(`/v1/runs/${String(failing.run_id)}/policy-events`)).status).toBe(404);
  });
});

describe('the fake Sepurux serves the API under its base paths only', () => {
  it.each(['/v1/campaigns', '/api/v1/campaigns', '/api/backend/v1/campaigns'])(
    '%s is served',
    async (path) => {
      expect((await call(path)).status).toBe(200);
    },
  );

  it.each([
    '/v1/v1/campaigns',
    '/api/backend/v1/v1/campaigns',
    '/api/backend/api/backend/v1/campaigns',
    '/other/v1/campaigns',
    '/campaigns',
  ])('%s (a path the real service does not have) is a 404', async (path) => {
    expect(await call(path)).toEqual({ status: 404, json: { detail: expect.any(String) } });
  });

  it('a doubled base path is recorded, so a test can see what the gate asked', async () => {
    await call('/v1/v1/campaigns');
    expect(fake.requestsTo('GET', '/v1/v1/campaigns')).toHaveLength(1);
  });

  it('serves the base paths it is given', async () => {
    fake = new FakeSepurux({ basePaths: ['/sepurux'] });
    expect((await call('/sepurux/v1/campaigns')).status).toBe(200);
    expect((await call('/v1/campaigns')).status).toBe(404);
  });
});

describe('the fake world has every campaign the examples and the demo name', () => {
  it('the campaigns of examples/reliability-gates.yml and the matrix example, and the noisy agent', () => {
    const config = readFileSync(join(REPOSITORY_ROOT, 'examples/reliability-gates.yml'), 'utf8');
    const named = [...config.matchAll(/campaign_name: (\S+)/g)].map((match) => match[1]!);
    expect(named).toHaveLength(3);
    for (const name of [...named, 'refund-reliability', 'refund-noisy'])
      expect(() => fake.campaign(name)).not.toThrow();
    for (const { name } of fake.campaigns)
      expect(fake.campaigns.filter((c) => c.name === name)).toHaveLength(1);
  });
});

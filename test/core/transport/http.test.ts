import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Deadline } from '../../../src/core/support/deadline.js';
import { BackendCallError } from '../../../src/core/support/errors.js';
import { JsonTransport, type TransportOptions } from '../../../src/core/transport/http.js';
import { FaultyServer } from '../../support/faults.js';

const OK = { kind: 'status', status: 200, body: JSON.stringify({ run_id: 'r1' }) } as const;
const Answer = z.object({ run_id: z.string() });
const servers: FaultyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(): Promise<FaultyServer> {
  const s = await new FaultyServer().start();
  servers.push(s);
  return s;
}

/** A transport whose waits are recorded instead of slept, with jitter fixed at its middle. */
function transport(baseUrl: string, options: Partial<TransportOptions> = {}) {
  const waits: number[] = [];
  const client = new JsonTransport({
    baseUrl,
    credentials: { 'X-Sepurux-Token': 'secret-token' },
    errorMessage: (body) => (body as { detail?: string } | undefined)?.detail,
    deadline: new Deadline(10_000),
    random: () => 0.5,
    wait: async (ms) => void waits.push(ms),
    ...options,
  });
  return { client, waits };
}

const get = { method: 'GET', path: '/v1/ci/runs/r1', schema: Answer, idempotent: true } as const;
const post = {
  method: 'POST',
  path: '/v1/things',
  body: { a: 1 },
  schema: Answer,
  idempotent: false,
} as const;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as BackendCallError,
  );

describe('JsonTransport retries', () => {
  it('rides out a burst of 503, 502 and 504 with growing, jittered waits', async () => {
    const s = (await server()).on(
      'GET',
      '/v1',
      { kind: 'status', status: 503 },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 504 },
      OK,
    );
    const { client, waits } = transport(s.origin);
    expect(await client.request(get)).toEqual({ run_id: 'r1' });
    expect(s.seen).toHaveLength(4);
    expect(waits).toEqual([375, 750, 1500]);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const date = new Date(Date.now() + 3000).toUTCString();
    const s = (await server()).on(
      'GET',
      '/v1',
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      { kind: 'status', status: 503, headers: { 'retry-after': date } },
      OK,
    );
    const { client, waits } = transport(s.origin);
    await client.request(get);
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThan(1000);
    expect(waits[1]).toBeLessThanOrEqual(3000);
  });

  it('fails at once when Retry-After asks for longer than the deadline leaves', async () => {
    const s = (await server()).on(
      'GET',
      '/v1',
      { kind: 'status', status: 429, headers: { 'retry-after': '120' } },
      OK,
    );
    const { client, waits } = transport(s.origin, { deadline: new Deadline(5_000) });
    const error = await failure(client.request(get));
    expect(error.message).toBe(
      "GET /v1/ci/runs/r1 answered HTTP 429 and asked to retry after 120s, past the gate's `timeout`; raise `timeout` or try later.",
    );
    expect(waits).toEqual([]);
    expect(s.seen).toHaveLength(1);
  });

  it.each([401, 403, 404, 422])(
    'does not retry HTTP %i and says what the backend said',
    async (status) => {
      const s = (await server()).on('GET', '/v1', {
        kind: 'status',
        status,
        body: JSON.stringify({ detail: 'nope, says the backend' }),
      });
      const { client } = transport(s.origin);
      const error = await failure(client.request(get));
      expect(error.message).toMatch(
        new RegExp(`^GET /v1/ci/runs/r1 failed with HTTP ${status}: nope, says the backend\\.`),
      );
      expect(error.status).toBe(status);
      expect(s.seen).toHaveLength(1);
    },
  );

  it('gives up after the attempts it has, naming the status', async () => {
    const s = (await server()).on(
      'GET',
      '/v1',
      ...Array.from({ length: 10 }, () => ({ kind: 'status', status: 502 }) as const),
    );
    const { client, waits } = transport(s.origin, { maxAttempts: 3 });
    expect((await failure(client.request(get))).message).toBe(
      'GET /v1/ci/runs/r1 failed with HTTP 502: injected 502. The backend is failing; try again later.',
    );
    expect(s.seen).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('retries a GET on a reset connection', async () => {
    const s = (await server()).on('GET', '/v1', { kind: 'reset' }, OK);
    const { client, waits } = transport(s.origin);
    expect(await client.request(get)).toEqual({ run_id: 'r1' });
    expect(s.seen).toHaveLength(2);
    expect(waits).toEqual([375]);
  });

  it('does not resend a POST without an idempotency guarantee once it may have been processed', async () => {
    const s = (await server()).on('POST', '/v1', { kind: 'reset' }, OK);
    const { client } = transport(s.origin);
    const error = await failure(client.request(post));
    expect(error.mayHaveBeenProcessed).toBe(true);
    expect(error.message).toMatch(/^POST \/v1\/things could not reach the backend: ECONNRESET/);
    expect(s.seen).toHaveLength(1);
  });

  it('resends such a POST on 429 and 503, which say it was not processed', async () => {
    const s = (await server()).on(
      'POST',
      '/v1',
      { kind: 'status', status: 429 },
      { kind: 'status', status: 503 },
      OK,
    );
    const { client } = transport(s.origin);
    expect(await client.request(post)).toEqual({ run_id: 'r1' });
    expect(s.seen).toHaveLength(3);
  });

  it('times out a socket that never answers, then retries', async () => {
    const s = (await server()).on('GET', '/v1', { kind: 'hang' }, OK);
    const { client } = transport(s.origin, { requestTimeoutMs: 300 });
    const started = Date.now();
    expect(await client.request(get)).toEqual({ run_id: 'r1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(s.seen).toHaveLength(2);
  });

  it('bounds every retry by the deadline', async () => {
    const s = (await server()).on(
      'GET',
      '/v1',
      ...Array.from({ length: 50 }, () => ({ kind: 'hang' }) as const),
    );
    const { client } = transport(s.origin, {
      deadline: new Deadline(1_000),
      requestTimeoutMs: 30_000,
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const started = Date.now();
    const error = await failure(client.request(get));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toMatch(/No verdict within the 1s timeout|could not reach the backend/);
  });
});

describe('JsonTransport on broken bodies and local faults', () => {
  it('retries at once on a reset in the middle of a body, instead of waiting out the deadline', async () => {
    const s = (await server()).on('GET', '/v1', { kind: 'reset-mid-body' }, OK);
    const { client, waits } = transport(s.origin, { deadline: new Deadline(30_000) });
    const started = Date.now();
    expect(await client.request(get)).toEqual({ run_id: 'r1' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(s.seen).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('cuts an endless body at 4 MiB, destroys the socket and fails closed without a retry', async () => {
    const s = (await server()).on('GET', '/v1', { kind: 'endless-body' }, OK);
    const before = process.memoryUsage().rss;
    const error = await failure(
      transport(s.origin, { deadline: new Deadline(30_000) }).client.request(get),
    );
    expect(error.message).toBe(
      'GET /v1/ci/runs/r1 answered with a body larger than 4 MiB; the gate stopped reading and fails closed. Check `base_url`.',
    );
    expect(s.seen).toHaveLength(1);
    // The 256 MiB the server would send are not held.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("reads a call's answer up to its own bound, and cuts it there (an export grows with its data)", async () => {
    // 6 MiB of JSON: past the default 4 MiB, within a call's 8 MiB.
    const big = JSON.stringify({ run_id: 'r1', pad: 'x'.repeat(6 * 1024 * 1024) });
    const s = (await server()).on(
      'GET',
      '/v1',
      { kind: 'status', status: 200, body: big },
      { kind: 'status', status: 200, body: big },
    );
    const { client } = transport(s.origin, { deadline: new Deadline(30_000) });
    expect(await client.request({ ...get, maxBodyBytes: 8 * 1024 * 1024 })).toEqual({
      run_id: 'r1',
    });
    expect((await failure(client.request(get))).message).toBe(
      'GET /v1/ci/runs/r1 answered with a body larger than 4 MiB; the gate stopped reading and fails closed. Check `base_url`.',
    );
    const endless = (await server()).on('GET', '/v1', { kind: 'endless-body' });
    const bounded = transport(endless.origin, { deadline: new Deadline(30_000) }).client;
    expect(
      (await failure(bounded.request({ ...get, maxBodyBytes: 8 * 1024 * 1024 }))).message,
    ).toBe(
      'GET /v1/ci/runs/r1 answered with a body larger than 8 MiB; the gate stopped reading and fails closed. Check `base_url`.',
    );
  });

  it('leaves room for a retry when an idempotent request hangs: it gets half of what is left', async () => {
    const s = (await server()).on('GET', '/v1', { kind: 'hang' }, OK);
    const { client } = transport(s.origin, {
      deadline: new Deadline(3_000),
      requestTimeoutMs: 30_000,
    });
    const started = Date.now();
    expect(await client.request(get)).toEqual({ run_id: 'r1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('gives a request that must not be resent the whole deadline', async () => {
    const s = (await server()).on('POST', '/v1', { kind: 'hang' }, OK);
    const { client } = transport(s.origin, {
      deadline: new Deadline(1_500),
      requestTimeoutMs: 30_000,
    });
    const error = await failure(client.request(post));
    expect(error.message).toMatch(/could not reach the backend: ETIMEDOUT/);
    expect(s.seen).toHaveLength(1);
  });

  it('fails at once, naming what went into the headers, when Node refuses a header value', async () => {
    const s = await server();
    const { client, waits } = transport(s.origin, {
      credentials: { 'X-Sepurux-Token': 'line\nbreak' },
      headerInputs: ['token', 'project_id'],
    });
    const error = await failure(client.request(get));
    expect(error.message).toMatch(
      /^GET \/v1\/ci\/runs\/r1 could not be sent: ERR_INVALID_CHAR .*Nothing reached the backend; check the inputs that go into headers \(`token`, `project_id`\)\.$/,
    );
    expect(s.seen).toHaveLength(0);
    expect(waits).toHaveLength(0);
  });

  it("bounds the backend's own message in an error", async () => {
    const s = (await server()).on('GET', '/v1', {
      kind: 'status',
      status: 400,
      body: JSON.stringify({ detail: 'x'.repeat(2 * 1024 * 1024) }),
    });
    const error = await failure(transport(s.origin).client.request(get));
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).toMatch(
      /^GET \/v1\/ci\/runs\/r1 failed with HTTP 400: x+…\. The backend rejected/,
    );
  });
});

describe('JsonTransport fails closed on answers it cannot trust', () => {
  it('refuses JSON that names a field twice, whichever value comes last', async () => {
    const body = '{"run_id": "r1", "status": "completed", "decision": "fail", "decision": "pass"}';
    const s = (await server()).on('GET', '/v1', { kind: 'status', status: 200, body });
    const error = await failure(transport(s.origin).client.request(get));
    expect(error.message).toBe(
      'GET /v1/ci/runs/r1 answered HTTP 200 with JSON that names a field twice (member "decision" appears twice in one object at line 1, column 61 (byte 60)); either value could be read, so the gate fails closed.',
    );
  });

  it('takes the same name in nested objects and in separate objects as distinct', async () => {
    const body = '{"run_id": "r1", "a": {"run_id": "x"}, "b": [{"k": 1}, {"k": 2}]}';
    const s = (await server()).on('GET', '/v1', { kind: 'status', status: 200, body });
    expect(await transport(s.origin).client.request(get)).toEqual({ run_id: 'r1' });
  });

  it('refuses a body that is not JSON', async () => {
    const s = (await server()).on('GET', '/v1', {
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>Login</html>',
    });
    const error = await failure(transport(s.origin).client.request(get));
    expect(error.message).toBe(
      'GET /v1/ci/runs/r1 answered HTTP 200 with a body that is not JSON (<html>Login</html>); check `base_url` points at the API root.',
    );
  });

  it('refuses a body whose shape drifted', async () => {
    const s = (await server()).on('GET', '/v1', {
      kind: 'status',
      status: 200,
      body: JSON.stringify({ runId: 'r1' }),
    });
    const error = await failure(transport(s.origin).client.request(get));
    expect(error.message).toMatch(
      /^GET \/v1\/ci\/runs\/r1 answered HTTP 200 with a body the gate does not recognise \(run_id: .*\); the backend's API may have changed, so the gate fails closed\.$/,
    );
  });
});

describe('JsonTransport redirects', () => {
  it('drops the credentials on a redirect to another origin', async () => {
    const elsewhere = (await server()).on('GET', '/', OK);
    const s = (await server()).on('GET', '/v1', {
      kind: 'redirect',
      location: `${elsewhere.origin}/moved`,
    });
    await transport(s.origin).client.request(get);
    expect(s.seen[0]?.headers['x-sepurux-token']).toBe('secret-token');
    expect(elsewhere.seen).toHaveLength(1);
    expect(JSON.stringify(elsewhere.seen[0]?.headers)).not.toContain('secret-token');
  });

  it('keeps them on a redirect within the origin', async () => {
    const s = (await server())
      .on('GET', '/v1/ci/runs/r1', { kind: 'redirect', location: '/v2/ci/runs/r1', status: 308 })
      .on('GET', '/v2', OK);
    await transport(s.origin).client.request(get);
    expect(s.seen[1]?.headers['x-sepurux-token']).toBe('secret-token');
  });

  it('refuses a redirect to plain http on another host', async () => {
    const s = (await server()).on('GET', '/v1', {
      kind: 'redirect',
      location: 'http://example.com/steal',
    });
    const error = await failure(transport(s.origin).client.request(get));
    expect(error.message).toContain(
      'was redirected to http://example.com, which the gate refuses: plain http to example.com would send the token unencrypted',
    );
  });
});

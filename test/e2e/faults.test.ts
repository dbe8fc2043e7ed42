import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { FaultyServer } from '../support/faults.js';
import { RecordingProxy } from '../support/proxy.js';
import { render } from '../support/render.js';
import { type ActionRun, runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { selfSignedCertificate } from '../support/tls.js';
import { webhookExample } from '../support/webhooks.js';
import { scratchDir } from '../support/scratch.js';

let sepurux = new FakeSepurux();
let trulayer = new FakeTruLayer();
let github = new FakeGitHub();
let sepuruxServer: ServedHandlers;
let trulayerServer: ServedHandlers;
let githubServer: ServedHandlers;
let faulty: FaultyServer;

beforeAll(async () => {
  sepuruxServer = await serveHandlers(() => sepurux.handlers());
  trulayerServer = await serveHandlers(() => trulayer.handlers());
  githubServer = await serveHandlers(() => github.handlers());
});
afterEach(async () => {
  await faulty?.stop();
  sepurux = new FakeSepurux();
  trulayer = new FakeTruLayer();
  github = new FakeGitHub();
});
afterAll(async () => {
  await Promise.all([sepuruxServer.close(), trulayerServer.close(), githubServer.close()]);
});

/** Runs the bundled action against the fake Sepurux behind a FaultyServer. */
async function gateThroughFaults(
  setup: (f: FaultyServer) => void,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  faulty = await new FaultyServer(sepuruxServer.origin).start();
  setup(faulty);
  return runAction({
    inputs: {
      base_url: faulty.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      campaign_name: 'refund-reliability',
      ...inputs,
    },
    eventName: 'pull_request',
    payload: webhookExample('pull_request', 'opened'),
    env: { GITHUB_API_URL: githubServer.origin, ...env },
  });
}

describe('faults: never a false pass, never a duplicate run', () => {
  it('a lost answer to run creation is resent with the same Idempotency-Key: one run', async () => {
    const run = await gateThroughFaults((f) =>
      f.on('POST', '/v1/ci/runs', { kind: 'lose-response' }),
    );
    expect(run.exitCode).toBe(0);
    const posts = faulty.requestsTo('POST', '/v1/ci/runs');
    expect(posts.map((p) => p.fault)).toEqual(['lose-response', 'pass']);
    expect(posts[0]?.headers['idempotency-key']).toBe(posts[1]?.headers['idempotency-key']);
    expect(sepurux.runs.size).toBe(1);
    expect(run.outputs.run_id).toBe([...sepurux.runs.keys()][0]);
  });

  it('a TruLayer schedule whose answer was lost is adopted, not repeated: one run', async () => {
    faulty = await new FaultyServer(trulayerServer.origin).start();
    faulty.on('POST', '/v1/datasets/', { kind: 'lose-response' });
    const run = await runAction({
      inputs: {
        backend: 'trulayer',
        base_url: faulty.origin,
        token: FAKE_TRULAYER_TOKEN,
        dataset_id: DATASET_ID,
        eval_version_id: EVAL_VERSION_ID,
        score_floor: '0.8',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(faulty.requestsTo('POST', '/v1/datasets/')).toHaveLength(1);
    expect(trulayer.runs.size).toBe(2); // the baseline, and the one run the gate started
    expect(run.outputs.run_id).toBe([...trulayer.runs.keys()][1]);
    expect(run.stdout).toContain('adopting eval run');
  });

  it('TruLayer repeats: the repeat whose schedule answer was lost adopts its own run, and is no duplicate of another', async () => {
    faulty = await new FaultyServer(trulayerServer.origin).start();
    faulty.on('POST', '/v1/datasets/', { kind: 'lose-response' });
    const run = await runAction({
      inputs: {
        backend: 'trulayer',
        base_url: faulty.origin,
        token: FAKE_TRULAYER_TOKEN,
        dataset_id: DATASET_ID,
        eval_version_id: EVAL_VERSION_ID,
        score_floor: '0.8',
        repeats: '3',
      },
    });
    expect(run.outputs).toMatchObject({ decision: 'pass', repeats_run: '3' });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('adopting eval run');
    expect(faulty.requestsTo('POST', '/v1/datasets/')).toHaveLength(3);
    expect(trulayer.runs.size).toBe(4); // the baseline, and one run per repeat
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8')) as {
      repeats: { rows: { runId: string }[] };
    };
    expect(new Set(report.repeats.rows.map((row) => row.runId)).size).toBe(3);
  });

  it('a burst of 503s while polling, with Retry-After, still ends in the true verdict', async () => {
    const run = await gateThroughFaults((f) =>
      f.on(
        'GET',
        '/v1/ci/runs/',
        { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 504 },
      ),
    );
    expect(run.exitCode).toBe(0);
    const polls = faulty.requestsTo('GET', '/v1/ci/runs/');
    expect(polls.map((p) => p.fault)).toEqual(['status', 'status', 'status', 'pass']);
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('a failing verdict behind a flaky network stays a failure', async () => {
    const run = await gateThroughFaults(
      (f) => f.on('GET', '/v1/ci/runs/', { kind: 'reset' }, { kind: 'status', status: 502 }),
      { campaign_name: 'checkout-regression' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
  });

  it.each([
    [
      'a body that is not JSON',
      { kind: 'status', status: 200, body: 'OK' } as const,
      'with a body that is not JSON',
    ],
    [
      'a body whose shape drifted',
      {
        kind: 'status',
        status: 200,
        body: JSON.stringify({ run_id: 'r', status: 'done', decision: 'pass', pass_rate: '92%' }),
      } as const,
      'does not recognise (pass_rate',
    ],
    [
      'an unknown status',
      {
        kind: 'rewrite',
        change: (body: Record<string, unknown>) => ({
          ...body,
          status: 'mostly-done',
          decision: 'pass',
        }),
      } as const,
      'unknown status "mostly-done"',
    ],
    [
      'an HTTP 401',
      { kind: 'status', status: 401, body: JSON.stringify({ detail: 'token revoked' }) } as const,
      'HTTP 401: token revoked',
    ],
  ])('%s fails the gate closed', async (_, fault, reason) => {
    const run = await gateThroughFaults((f) => f.on('GET', '/v1/ci/runs/', fault));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain(reason);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a backend that never answers: fail at the timeout, check completed, process exits at once', async () => {
    const run = await gateThroughFaults(
      (f) =>
        f.on(
          'GET',
          '/v1/campaigns',
          ...Array.from({ length: 20 }, () => ({ kind: 'hang' }) as const),
        ),
      { timeout: '2' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toMatch(
      /no verdict within the 2s timeout|could not reach the backend/,
    );
    expect(run.durationMs).toBeLessThan(4_000);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a redirect to another origin gets no credentials', async () => {
    const elsewhere = await new FaultyServer().start();
    try {
      elsewhere.on('GET', '/', {
        kind: 'status',
        status: 404,
        body: JSON.stringify({ detail: 'who are you' }),
      });
      const run = await gateThroughFaults((f) =>
        f.on('GET', '/v1/campaigns', {
          kind: 'redirect',
          location: `${elsewhere.origin}/v1/campaigns`,
        }),
      );
      expect(run.exitCode).toBe(1);
      expect(elsewhere.seen).toHaveLength(1);
      expect(JSON.stringify(elsewhere.seen)).not.toContain(FAKE_TOKEN);
      expect(JSON.stringify(elsewhere.seen)).not.toContain(FAKE_PROJECT_ID);
    } finally {
      await elsewhere.stop();
    }
  });
});

describe('proxies and private CAs', () => {
  it('reaches the backend and GitHub through HTTPS_PROXY, trusting NODE_EXTRA_CA_CERTS', async () => {
    const certificate = selfSignedCertificate(['sepurux.internal', 'github.internal']);
    const backend = await serveHandlers(() => sepurux.handlers(), certificate);
    const api = await serveHandlers(() => github.handlers(), certificate);
    const port = (s: ServedHandlers) => Number(new URL(s.origin).port);
    const proxy = await new RecordingProxy({
      'sepurux.internal:443': port(backend),
      'github.internal:443': port(api),
    }).start();
    try {
      const run = await runAction({
        inputs: {
          base_url: 'https://sepurux.internal/api',
          token: FAKE_TOKEN,
          project_id: FAKE_PROJECT_ID,
          github_token: FAKE_GITHUB_TOKEN,
          trace_id: 't',
          campaign_name: 'refund-reliability',
        },
        env: {
          HTTPS_PROXY: proxy.origin,
          NODE_EXTRA_CA_CERTS: certificate.certPath,
          GITHUB_API_URL: 'https://github.internal',
        },
      });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(new Set(proxy.tunnels)).toEqual(
        new Set(['sepurux.internal:443', 'github.internal:443']),
      );
      expect(github.checkRuns[0]?.conclusion).toBe('success');

      // NO_PROXY sends the backend calls direct (where the made-up name does not resolve).
      proxy.tunnels.length = 0;
      const direct = await runAction({
        inputs: {
          base_url: 'https://sepurux.internal/api',
          token: FAKE_TOKEN,
          project_id: FAKE_PROJECT_ID,
          trace_id: 't',
          campaign_name: 'refund-reliability',
          timeout: '2',
          comment: 'false',
          github_token: '',
        },
        env: {
          HTTPS_PROXY: proxy.origin,
          NO_PROXY: 'sepurux.internal',
          NODE_EXTRA_CA_CERTS: certificate.certPath,
        },
      });
      expect(direct.exitCode).toBe(1);
      expect(proxy.tunnels).not.toContain('sepurux.internal:443');
    } finally {
      await Promise.all([proxy.stop(), backend.close(), api.close()]);
    }
  });
});

describe('bad files', () => {
  it('a trace file over the size limit is refused before any request', async () => {
    const path = join(scratchDir('huge'), 'huge-trace.json');
    const handle = await open(path, 'w');
    await handle.truncate(300 * 1024 * 1024); // sparse: no disk is used
    await handle.close();
    const run = await gateThroughFaults(() => undefined, { trace_id: '', trace_file: path });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(
      'is 300.0 MiB, over the 256.0 MiB the gate uploads',
    );
    expect(faulty.seen).toHaveLength(0);
  });
});

describe('secrets', () => {
  /** Everything a run left behind that a person or a later step could read. */
  async function everythingWritten(run: ActionRun): Promise<string> {
    const files = await readdir(run.dir, { recursive: true, withFileTypes: true });
    const contents = await Promise.all(
      files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')),
    );
    // `::add-mask::` lines are the masking itself: the runner consumes them and never shows them.
    const stdout = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    return [
      stdout,
      run.stderr,
      ...contents,
      JSON.stringify(github.checkRuns),
      JSON.stringify([...github.comments.values()]),
      JSON.stringify(github.statuses),
    ].join('\n');
  }

  it('a backend error that echoes the token does not publish it', async () => {
    const echo = JSON.stringify({ detail: `invalid key ${FAKE_TOKEN} for project` });
    const run = await gateThroughFaults((f) =>
      f.on('GET', '/v1/campaigns', { kind: 'status', status: 401, body: echo }),
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      'GET /v1/campaigns failed with HTTP 401: invalid key *** for project. Check that `token` holds a valid credential for this backend.',
    );
    expect(await everythingWritten(run)).not.toContain(FAKE_TOKEN);
  });

  it.each([
    ['pass', {}],
    ['fail', { campaign_name: 'checkout-regression' }],
    ['error', { campaign_name: 'no-such-campaign' }],
    ['timeout', { campaign_name: 'slow-campaign', timeout: '1' }],
  ])('no token is printed or written on the %s path, debug logging on', async (_, inputs) => {
    const run = await gateThroughFaults(
      (f) => f.on('GET', '/v1/ci/runs/', { kind: 'status', status: 503 }),
      { ...inputs, trace_id: '', trace_file: 'examples/traces/refund_flow.json' },
      { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
    );
    expect(run.stdout).toContain(`::add-mask::${FAKE_TOKEN}`);
    expect(run.stdout).toContain(`::add-mask::${FAKE_GITHUB_TOKEN}`);
    expect(run.stdout).toContain('::debug::');
    const written = await everythingWritten(run);
    expect(written).not.toContain(FAKE_TOKEN);
    expect(written).not.toContain(FAKE_GITHUB_TOKEN);
    // Nor does either token cross to the other side.
    expect(JSON.stringify(github.requests)).not.toContain(FAKE_TOKEN);
    expect(JSON.stringify(faulty.seen)).not.toContain(FAKE_GITHUB_TOKEN);
  });
});

describe('a slow GitHub', () => {
  it('an input error with every answer taking 3 s: the check begun is completed, as a failure naming the input', async () => {
    // Each answer of GitHub's takes 3 s: the check's start and its completion cannot share 5 s.
    const slow = await serveHandlers(() => [
      http.all('*', async () => {
        await delay(3_000);
      }),
      ...github.handlers(),
    ]);
    try {
      const run = await runAction({
        inputs: {
          base_url: sepuruxServer.origin,
          token: FAKE_TOKEN,
          project_id: FAKE_PROJECT_ID,
          github_token: FAKE_GITHUB_TOKEN,
          trace_id: 'trace-1',
          campaign_name: 'refund-reliability',
          min_pass_rate: '80%',
        },
        eventName: 'pull_request',
        payload: webhookExample('pull_request', 'opened'),
        env: { GITHUB_API_URL: slow.origin },
      });
      expect(run.exitCode).toBe(1);
      expect(run.annotations).toContainEqual({
        level: 'error',
        message: expect.stringContaining('min_pass_rate'),
      });
      expect(sepurux.requests).toHaveLength(0);
      expect(github.checkRuns).toEqual([
        expect.objectContaining({ status: 'completed', conclusion: 'failure' }),
      ]);
      expect(render(github.checkRuns[0]?.output?.summary ?? '').text).toContain('min_pass_rate');
    } finally {
      await slow.close();
    }
  }, 30_000);

  /**
   * The bundled action with an input error, against the fake GitHub behind a front that passes
   * every request on and answers a create of a check run as `answerCreate` says (the answer
   * GitHub gave, given after it is made).
   */
  async function inputErrorBehind(
    answerCreate: (made: Response, index: number) => Promise<Response>,
  ) {
    const real = await serveHandlers(() => github.handlers());
    let creates = 0;
    const front = await serveHandlers(() => [
      http.all('*', async ({ request }) => {
        const url = new URL(request.url);
        const answer = await fetch(`${real.origin}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          ...(['GET', 'HEAD'].includes(request.method) ? {} : { body: await request.text() }),
        });
        const given = new HttpResponse(await answer.text(), {
          status: answer.status,
          headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' },
        });
        return request.method === 'POST' && url.pathname.endsWith('/check-runs')
          ? answerCreate(given, creates++)
          : given;
      }),
    ]);
    try {
      return await runAction({
        inputs: {
          base_url: sepuruxServer.origin,
          token: FAKE_TOKEN,
          project_id: FAKE_PROJECT_ID,
          github_token: FAKE_GITHUB_TOKEN,
          trace_id: 'trace-1',
          campaign_name: 'refund-reliability',
          min_pass_rate: '1.5',
        },
        eventName: 'pull_request',
        payload: webhookExample('pull_request', 'opened'),
        env: { GITHUB_API_URL: front.origin },
      });
    } finally {
      await front.close();
      await real.close();
    }
  }

  it('a check GitHub made but whose create never answered in time is found and completed', async () => {
    // GitHub makes the check, then holds its answer past the time a start may take.
    const run = await inputErrorBehind(async (made) => {
      await delay(8_000);
      return made;
    });
    expect(run.exitCode).toBe(1);
    expect(github.checkRuns).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'failure' }),
    ]);
    expect(run.stdout).toContain('that an unanswered request had begun');
  }, 30_000);

  it('a create GitHub carried out but answered 502 is not sent again (a second check), and is completed', async () => {
    // The first create is made, then answered as a gateway that lost the answer.
    const run = await inputErrorBehind(async (made, index) =>
      index === 0 ? HttpResponse.json({ message: 'Bad Gateway' }, { status: 502 }) : made,
    );
    expect(run.exitCode).toBe(1);
    // One check, completed: never a second one beside a first left in progress.
    expect(github.checkRuns).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'failure' }),
    ]);
  }, 30_000);
});

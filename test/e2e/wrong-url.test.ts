import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN } from '../support/fake-sepurux.js';
import { pullRequestPayload } from '../support/pull-request.js';
import { runAction, runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/*
 * A wrong `base_url` is said at once, in one sentence naming the setting in the door's words,
 * and exits as "could not evaluate" (3 on the command line), never as a regression: a name the
 * resolver says does not exist is not tried again; a refused connection is tried once more, and
 * neither is started again as a new run (`retry_errors`). The attempts are counted from the debug
 * log (one "retrying" line per retry), not timed: the time is bench's (`npm run bench`).
 */

/** Resolves `.invalid` names to "no such host" in the bundle, without a DNS server. */
const NO_SUCH_HOST = `--import ${fileURLToPath(new URL('../support/no-such-host.mjs', import.meta.url))}`;
const UNRESOLVED = 'https://sepurux.invalid';

let refused: string;
let github: FakeGitHub;
let githubServer: ServedHandlers;
beforeAll(async () => {
  // A port that was just free: nothing listens there, so a connection to it is refused.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  refused = `http://127.0.0.1:${port}`;
  github = new FakeGitHub();
  githubServer = await serveHandlers(() => github.handlers());
});
afterAll(async () => githubServer.close());

const retries = (log: string) => log.split('\n').filter((line) => /retrying in \d+ ms/.test(line));

describe('a wrong --base-url on the command line', () => {
  const gate = (baseUrl: string, env: Record<string, string> = {}) =>
    runCli(['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability', '--verbose'], {
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: baseUrl,
      ...env,
    });

  it('a refused connection: tried twice, never started again, exit 3 with one sentence naming --base-url', async () => {
    const run = await gate(refused);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stdout.trim().split('\n')).toEqual([
      `fail: Sepurux could not evaluate the run: GET /v1/campaigns could not reach ${refused}: the connection was refused 2 times (ECONNREFUSED), so nothing listens there; check --base-url (its host and port), or the proxy settings.`,
    ]);
    expect(retries(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toContain('Starting it again');
  });

  it('a name that does not resolve: tried once, exit 3, naming the host and --base-url', async () => {
    const run = await gate(UNRESOLVED, { NODE_OPTIONS: NO_SUCH_HOST });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stdout.trim().split('\n')).toEqual([
      `fail: Sepurux could not evaluate the run: GET /v1/campaigns could not reach ${UNRESOLVED}: the host sepurux.invalid does not resolve (ENOTFOUND); check --base-url for a typo, or the proxy settings.`,
    ]);
    expect(retries(run.stderr)).toEqual([]);
    expect(run.stderr).not.toContain('Starting it again');
  });
});

describe('a wrong base_url on the action', () => {
  const gate = (baseUrl: string, env: Record<string, string> = {}) =>
    runAction({
      inputs: {
        base_url: baseUrl,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        github_token: FAKE_GITHUB_TOKEN,
        trace_id: 'trace-1',
        campaign_name: 'refund-reliability',
      },
      eventName: 'pull_request',
      payload: pullRequestPayload(),
      env: { GITHUB_API_URL: githubServer.origin, ACTIONS_STEP_DEBUG: 'true', ...env },
    });

  it('a refused connection: tried twice, no retry of the run, the reason naming `base_url`', async () => {
    const run = await gate(refused);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '0' });
    expect(run.outputs.reason).toBe(
      `Sepurux could not evaluate the run: GET /v1/campaigns could not reach ${refused}: the connection was refused 2 times (ECONNREFUSED), so nothing listens there; check \`base_url\` (its host and port), or the proxy settings.`,
    );
    expect(retries(run.stdout)).toHaveLength(1);
  });

  it('a name that does not resolve: tried once, the reason naming the host and `base_url`', async () => {
    const run = await gate(UNRESOLVED, { NODE_OPTIONS: NO_SUCH_HOST });
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '0' });
    expect(run.outputs.reason).toBe(
      `Sepurux could not evaluate the run: GET /v1/campaigns could not reach ${UNRESOLVED}: the host sepurux.invalid does not resolve (ENOTFOUND); check \`base_url\` for a typo, or the proxy settings.`,
    );
    expect(retries(run.stdout)).toEqual([]);
  });
});

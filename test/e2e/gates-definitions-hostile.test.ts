import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// Hostile pass 2 against the many-gates fixes of 783b3f0 (the action's door). Each test asserts the SAFE behaviour.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let extra: any[] = [];
let backend: ServedHandlers;
let api: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => sepurux.handlers());
  api = await serveHandlers(() => [...extra, ...github.handlers()]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
  extra = [];
});
afterAll(async () => {
  await backend.close();
  await api.close();
});
function workspace(config: string): string {
  const dir = scratchDir('gates-hostile-gates');
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}
const pullRequest = () => webhookExample('pull_request', 'opened') as any;
const gates = (o: {
  config: string;
  inputs?: Record<string, string>;
  payload?: any;
  env?: Record<string, string>;
}) =>
  runAction({
    inputs: {
      base_url: `${backend.origin}/api`,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      config: '.github/reliability-gates.yml',
      ...o.inputs,
    },
    eventName: 'pull_request',
    payload: o.payload ?? pullRequest(),
    env: { GITHUB_API_URL: api.origin, ...o.env },
    cwd: workspace(o.config),
  });
const started = () =>
  sepurux.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;
const TWO = `gates:\n  - name: a\n    paths: agents/a/**\n  - name: b\n    paths: agents/b/**\n`;

describe('many gates against a hostile repository: the workflow that runs the step', () => {
  it('a workflow whose file name holds `@` (GITHUB_WORKFLOW_REF has two) still runs every entry when it changes', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['.github/workflows/gate@v2.yml']);
    await gates({
      payload,
      env: {
        GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/gate@v2.yml@refs/pull/2/merge',
      },
      inputs: { campaign_name: 'checkout-regression' },
      config: TWO,
    });
    expect(started()).toBe(2);
  });
});

describe('many gates against a hostile repository: the 30 s race', () => {
  it('a files list whose pages keep coming slowly does not keep the step alive once the verdict is published', async () => {
    const payload = pullRequest();
    github.seedPullFiles(
      payload.pull_request.number,
      Array.from({ length: 2500 }, (_, i) => `agents/a/f${i}.py`),
    );
    extra = [
      http.get('*/pulls/:n/files', async () => {
        await new Promise((r) => setTimeout(r, 14_000));
        return undefined as any;
      }),
    ];
    const run = await gates({
      payload,
      inputs: { campaign_name: 'refund-reliability', timeout: '120' },
      config: TWO,
    });
    const completedAt = github.checkRuns[0]?.status;
    // The race resolves at 30 s, every entry runs in a second or two: the process should end by ~45 s.
    expect({ status: completedAt, seconds: Math.round(run.durationMs / 1000) }).toEqual({
      status: 'completed',
      seconds: expect.any(Number),
    });
    expect(run.durationMs).toBeLessThan(50_000);
  }, 300_000);
});

describe('many gates against a hostile repository: what every entry inherits, defined elsewhere', () => {
  it('a pull request that changes the reusable workflow the step is in (GITHUB_WORKFLOW_REF is the caller) runs every entry', async () => {
    const payload = pullRequest();
    // ci.yml calls `uses: ./.github/workflows/reliability.yml`, whose gate step sets the inputs every entry inherits.
    github.seedPullFiles(payload.pull_request.number, ['.github/workflows/reliability.yml']);
    await gates({
      payload,
      env: { GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/pull/2/merge' },
      inputs: { campaign_name: 'checkout-regression' },
      config: TWO,
    });
    expect(started()).toBe(2);
  });
});

describe('many gates against a hostile repository: token_env', () => {
  it("refuses a variable that holds the step's github_token (GH_TOKEN, set for the gh CLI) for an API root the file chooses", async () => {
    const seen: { auth: string | null; url: string }[] = [];
    const evil = await serveHandlers([
      http.all('*', ({ request }) => {
        seen.push({ auth: JSON.stringify([...request.headers]), url: request.url }); // x-api-key carries it
        return HttpResponse.json({ detail: 'no' }, { status: 401 });
      }),
    ]);
    try {
      const payload = pullRequest();
      github.seedPullFiles(payload.pull_request.number, ['.github/reliability-gates.yml']);
      const run = await gates({
        payload,
        inputs: { campaign_name: 'refund-reliability', retry_errors: '0' },
        env: { GH_TOKEN: FAKE_GITHUB_TOKEN },
        config: `gates:\n  - name: exfil\n    base_url: ${evil.origin}\n    token_env: GH_TOKEN\n`,
      });
      expect({
        exit: run.exitCode,
        leaked: seen.some((s) => (s.auth ?? '').includes(FAKE_GITHUB_TOKEN)),
      }).toEqual({ exit: 1, leaked: false });
    } finally {
      await evil.close();
    }
  }, 60_000);
});

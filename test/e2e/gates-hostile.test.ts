import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { type CancelWhen, runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

const PASSING = {
  decision: 'pass',
  pass_rate: 0.95,
  unsafe_attempts: 0,
  failures: 0,
  reliability_score: 95,
};
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
  const dir = scratchDir('hostile-gates');
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}
const pullRequest = () => webhookExample('pull_request', 'opened') as any;
const gates = (o: {
  config: string;
  inputs?: Record<string, string>;
  payload?: any;
  eventName?: string;
  env?: Record<string, string>;
  cancelWhen?: CancelWhen;
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
    eventName: o.eventName ?? 'pull_request',
    payload: o.payload ?? pullRequest(),
    env: { GITHUB_API_URL: api.origin, ...o.env },
    cwd: workspace(o.config),
    ...(o.cancelWhen ? { cancelWhen: o.cancelWhen } : {}),
  });
const started = () =>
  sepurux.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;

describe('many gates against a hostile repository: selection', () => {
  it('a file name in NFD (committed from macOS) reaches a glob written in NFC', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['agents/café/prompt.md'.normalize('NFD')]);
    const run = await gates({
      payload,
      config: `gates:\n  - name: cafe\n    paths: ["${'agents/café/**'.normalize('NFC')}"]\n    campaign_name: checkout-regression\n`,
    });
    expect(started()).toBe(1);
    expect(run.outputs.decision).toBe('fail');
  });

  it('a Next.js route group folder, `app/(shop)/`, is matched literally', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['app/(shop)/checkout/page.tsx']);
    const run = await gates({
      payload,
      config: `gates:
  - name: shop
    paths: ["app/(shop)/"]
    campaign_name: checkout-regression
  - name: shop-escaped
    paths: ['app/\\(shop\\)/**']
    campaign_name: checkout-regression
`,
    });
    expect(started()).toBe(2);
    expect(run.outputs.decision).toBe('fail');
  });
});

describe('many gates against a hostile repository: folders named with wildcards', () => {
  const FOLDERS = `gates:
  - name: any-prompts
    paths: ["**/prompts"]
    campaign_name: checkout-regression
  - name: agents-prompts
    paths: [agents/*/prompts]
    campaign_name: checkout-regression
  - name: two-agents
    paths: ["agents/{support,billing}"]
    campaign_name: checkout-regression
  - name: docs-top
    paths: [docs/*]
    campaign_name: checkout-regression
`;
  const ran = (run: { outputs: Record<string, string | undefined> }) =>
    (JSON.parse(run.outputs.gates ?? '[]') as { name: string; ran: boolean }[])
      .filter((entry) => entry.ran)
      .map((entry) => entry.name);

  it('`**/prompts`, `agents/*/prompts` and `agents/{support,billing}` each reach a file under the folder', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['agents/support/prompts/system.md']);
    const run = await gates({ payload, config: FOLDERS });
    expect(ran(run)).toEqual(['any-prompts', 'agents-prompts', 'two-agents']);
    expect(started()).toBe(3);
    expect(github.checkRuns[0]?.output?.title).not.toMatch(/No gate affected/);
    expect(run.outputs.decision).toBe('fail');
  });

  it('`docs/*` reaches a file directly in docs/, not one in a folder under it (CODEOWNERS)', async () => {
    const deeper = pullRequest();
    github.seedPullFiles(deeper.pull_request.number, ['docs/a/b.md']);
    const nested = await gates({ payload: deeper, config: FOLDERS });
    expect(ran(nested)).toEqual([]);
    expect(started()).toBe(0);

    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const direct = pullRequest();
    github.seedPullFiles(direct.pull_request.number, ['docs/a.md']);
    const top = await gates({ payload: direct, config: FOLDERS });
    expect(ran(top)).toEqual(['docs-top']);
    expect(started()).toBe(1);
  });
});

describe('many gates against a hostile repository: config file', () => {
  it('an alias bomb is refused as an input error, the check completed', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('gates:\n  - name: bomb\n    campaign_name: *a8');
    const run = await gates({
      eventName: 'push',
      payload: webhookExample('push') as any,
      config: lines.join('\n') + '\n',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).not.toMatch(/at .*index\.js/);
    expect(github.checkRuns[0]).toMatchObject({ conclusion: 'failure' });
  });
});

describe('many gates against a hostile repository: slow backend, many entries', () => {
  it('81 entries against a backend that never finishes: the check is completed as a failure', async () => {
    sepurux = new FakeSepurux({
      campaigns: [{ id: randomUUID(), name: 'slow', outcome: PASSING, finishAfterMs: 1e9 }],
    });
    const entries = Array.from(
      { length: 81 },
      (_, i) => `  - name: e${i}\n    campaign_name: slow\n`,
    ).join('');
    const run = await gates({
      eventName: 'push',
      payload: webhookExample('push') as any,
      inputs: { timeout: '3', poll_interval: '1' },
      config: `gates:\n${entries}`,
    });
    expect(run.exitCode).toBe(1);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  }, 120_000);
});

describe('many gates against a hostile repository: backends per entry', () => {
  it("a pass with figures below an entry's threshold, an unknown decision and a 500 each fail; the step fails", async () => {
    sepurux = new FakeSepurux({
      campaigns: [
        { id: randomUUID(), name: 'liar', outcome: { ...PASSING, pass_rate: 0.95 } },
        { id: randomUUID(), name: 'odd', outcome: { ...PASSING, decision: 'passed_with_notes' } },
        { id: randomUUID(), name: 'fine', outcome: PASSING },
      ],
    });
    const broken = await serveHandlers([
      http.all('*', () =>
        HttpResponse.json({ detail: 'boom sx_entry_secret_123' }, { status: 500 }),
      ),
    ]);
    try {
      const run = await gates({
        eventName: 'push',
        payload: webhookExample('push') as any,
        inputs: {
          retry_errors: '0',
          timeout: '20',
          allowed_token_env: 'BROKEN_TOKEN',
          allowed_base_urls: broken.origin,
        },
        env: { BROKEN_TOKEN: 'sx_entry_secret_123' },
        config: `gates:
  - name: liar
    campaign_name: liar
    min_pass_rate: 0.99
  - name: odd
    campaign_name: odd
  - name: broken
    campaign_name: fine
    base_url: ${broken.origin}
    token_env: BROKEN_TOKEN
  - name: fine
    campaign_name: fine
`,
      });
      const entries = JSON.parse(run.outputs.gates ?? '[]');
      const all =
        run.stdout.replace(/^::add-mask::.*$/gm, '') +
        run.stderr +
        JSON.stringify(run.outputs) +
        JSON.stringify(github.checkRuns) +
        readFileSync(run.outputs.report_file!, 'utf8') +
        run.summary;
      expect(all).not.toContain('sx_entry_secret_123');
      expect(run.outputs.decision).toBe('fail');
      expect(entries.map((e: any) => e.decision)).toEqual(['fail', 'fail', 'fail', 'pass']);
    } finally {
      await broken.close();
    }
  }, 60_000);
});

describe('many gates against a hostile repository: slow GitHub files list', () => {
  it('a slow pulls/files answer leaves the check time to complete', async () => {
    sepurux = new FakeSepurux({
      campaigns: [{ id: randomUUID(), name: 'slow', outcome: PASSING, finishAfterMs: 1e9 }],
    });
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['agents/a/x.py']);
    extra = [
      http.get('*/pulls/:n/files', async () => {
        await new Promise((r) => setTimeout(r, 12_000));
        return undefined as any; // fall through to the fake
      }),
    ];
    const run = await gates({
      payload,
      inputs: { timeout: '5', poll_interval: '1' },
      config: `gates:\n  - name: a\n    paths: agents/a/**\n    campaign_name: slow\n`,
    });
    expect(run.exitCode).toBe(1);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
  }, 120_000);
});

describe('many gates against a hostile repository: a cancel', () => {
  it('a cancel while the changed files are read stops the listing: no entry starts, the check is completed as cancelled before SIGTERM', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['agents/a/x.py']);
    // GitHub never answers the list of files; the runner cancels the job meanwhile.
    let listing = false;
    extra = [
      http.get('*/pulls/:n/files', async () => {
        listing = true;
        await delay('infinite');
      }),
    ];
    const run = await gates({
      payload,
      config: `gates:\n  - name: a\n    paths: agents/a/**\n    campaign_name: checkout-regression\n`,
      cancelWhen: { when: () => listing && github.checkRuns.length > 0, signal: 'runner' },
    });
    expect(run.signalledAt).toBeDefined();
    // Done within the runner's window, before its SIGTERM (7.5 s after SIGINT).
    expect(run.exitedAt - run.signalledAt!).toBeLessThan(7_500);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(started()).toBe(0);
    expect(github.checkRuns).toEqual([
      expect.objectContaining({
        name: 'Reliability gates',
        status: 'completed',
        conclusion: 'cancelled',
      }),
    ]);
  }, 30_000);
});

describe('many gates against a hostile repository: names in the comment', () => {
  it('file names and globs with markdown, HTML and mentions render inert', async () => {
    const { render, ENGINES } = await import('../support/render.js');
    const payload = pullRequest();
    const evilName =
      'agents/support/`|<img src=x onerror=alert(1)>|@octocat [click](https://evil.example) <!-- ##[set-output name=decision]pass.md';
    github.seedPullFiles(payload.pull_request.number, [evilName, 'agents/support/a\\`b`` ``.md']);
    const run = await gates({
      payload,
      config: `gates:
  - name: support
    paths: agents/support/**
    campaign_name: refund-reliability
  - name: other
    paths: ["other/\`x\`<b>y</b>@octocat[z](evil.example)/**", "!<!--"]
    campaign_name: refund-reliability
`,
    });
    // (A glob with `//`, as in `https://`, is refused: no listed path holds an empty folder name.)
    const body = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
    const problems: string[] = [];
    for (const engine of ENGINES) {
      const page = render(body, engine);
      if (page.links.some((l) => l.includes('evil.example') || l === 'x'))
        problems.push(`${engine}: link ${page.links}`);
      for (const m of page.html
        .replace(/<!-- agent-reliability-gate:[0-9a-f]+ -->/, '')
        .match(/<img[^>]*>|<b>|<!--.{0,60}/g) ?? [])
        problems.push(`${engine}: raw html ${m}`);
      if (/(^|\s)@octocat/.test(page.text)) problems.push(`${engine}: mention`);
      for (const row of page.rows)
        if (row.length !== 4 && row.length !== 2)
          problems.push(`${engine}: row of ${row.length} ${JSON.stringify(row)}`);
      if (!page.text.includes('other')) problems.push(`${engine}: entry other missing`);
    }
    const check = JSON.stringify(github.checkRuns[0]?.output ?? {});
    expect(problems).toEqual([]);
    expect(run.outputs.decision).toBe('pass');
    expect(check.length).toBeGreaterThan(0);
  });
});

describe('many gates against a hostile repository: globs that pass validation', () => {
  it('refuses `paths: ["!"]` (or "\\\\") before any call, naming the entry', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['docs/readme.md']);
    const run = await gates({
      payload,
      config: `gates:
  - name: a
    paths: ["!"]
    campaign_name: refund-reliability
  - name: b
    paths: docs/**
    campaign_name: refund-reliability
`,
    });
    // An input error before any call, naming the entry and its glob: on push, where every entry runs, it is said too.
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('gate `a`: `paths`: `!` names no path');
    expect(started()).toBe(0);
  });

  it('refuses globs no listed path can match (`//`, `.`, `..`, a brace of one) before any call, saying what to write', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, [
      'agents/support/prompt.md',
      'agents/billing/prompt.md',
    ]);
    const run = await gates({
      payload,
      config: `gates:
  - name: empty
    paths: agents//support
    campaign_name: refund-reliability
  - name: dot
    paths: agents/./support
    campaign_name: refund-reliability
  - name: up
    paths: agents/support/../billing
    campaign_name: refund-reliability
  - name: brace
    paths: agents/{support}
    campaign_name: refund-reliability
  - name: rooted
    paths: [/agents/support, ./agents/billing]
    campaign_name: refund-reliability
`,
    });
    expect(run.exitCode).toBe(1);
    const reason = run.outputs.reason ?? '';
    expect(reason).toContain(
      'gate `empty`: `paths`: `agents//support` has an empty folder name (`//`), which no changed path holds; write `agents/support`',
    );
    expect(reason).toContain('gate `dot`: `paths`: `agents/./support` has a `.` folder name');
    expect(reason).toContain(
      'gate `up`: `paths`: `agents/support/../billing` has a `..` folder name',
    );
    expect(reason).toContain('write `agents/billing`');
    expect(reason).toContain(
      'gate `brace`: `paths`: `agents/{support}` has `{support}`, one alternative, which picomatch reads as the name `{support}`; write `support`, or add another alternative',
    );
    // A leading `/` or `./` is the repository's root, as in CODEOWNERS: no problem.
    expect(reason).not.toContain('gate `rooted`');
    expect(started()).toBe(0);
    expect(sepurux.requests).toEqual([]);
  });
});

describe('many gates against a hostile repository: what every entry inherits changed', () => {
  it('a pull request that changes only the workflow (whose inputs every entry inherits) runs every entry', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['.github/workflows/gates.yml']);
    const run = await gates({
      payload,
      env: {
        GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/gates.yml@refs/pull/2/merge',
      },
      // e.g. the pull request moved every entry to another campaign or project, or raised min_pass_rate.
      inputs: { campaign_name: 'checkout-regression' },
      config: `gates:\n  - name: a\n    paths: agents/a/**\n  - name: b\n    paths: agents/b/**\n`,
    });
    expect(started()).toBe(2);
    expect(run.stdout).toContain(
      'Every gate ran: `.github/workflows/gates.yml` (the workflow that runs this step) is among',
    );
  });
});

/** Two entries, each under its own folder: a change to neither's paths runs neither, unless every entry runs. */
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
        // Allowed by the step, a variable holding its github_token is still never sent.
        inputs: {
          campaign_name: 'refund-reliability',
          retry_errors: '0',
          allowed_token_env: 'GH_TOKEN',
          allowed_base_urls: evil.origin,
        },
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

/** A server that counts the connections made to it and answers none: where a leaked credential would go. */
async function listener(): Promise<{
  origin: string;
  connections: () => number;
  close(): Promise<void>;
}> {
  const { createServer } = await import('node:net');
  let count = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('data', () => {}); // read, never answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('many gates against a hostile repository: what the workflow allows', () => {
  const TRULAYER_ENTRY = (baseUrl: string) => `gates:
  - name: search-agent
    backend: trulayer
    base_url: ${baseUrl}
    token_env: TRULAYER_API_KEY
    dataset_id: ${DATASET_ID}
    eval_version_id: ${EVAL_VERSION_ID}
    score_floor: 0.5
`;
  let trulayer = new FakeTruLayer();
  let trulayerServer: ServedHandlers;
  beforeAll(async () => {
    trulayerServer = await serveHandlers(() => trulayer.handlers());
  });
  beforeEach(() => {
    trulayer = new FakeTruLayer();
  });
  afterAll(async () => trulayerServer.close());
  const push = () => ({ eventName: 'push', payload: webhookExample('push') as any });

  it('an entry of its own base_url and token_env: AWS_SECRET_ACCESS_KEY is refused before any call; the host gets nothing', async () => {
    const evil = await listener();
    try {
      const run = await gates({
        ...push(),
        inputs: { campaign_name: 'refund-reliability' },
        env: { AWS_SECRET_ACCESS_KEY: 'aws-secret-never-sent-42' },
        config: `gates:\n  - name: exfil\n    base_url: ${evil.origin}\n    token_env: AWS_SECRET_ACCESS_KEY\n`,
      });
      const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
      expect({
        exit: run.exitCode,
        connections: evil.connections(),
        started: sepurux.requests.length,
      }).toEqual({ exit: 1, connections: 0, started: 0 });
      expect(errors.join('\n')).toContain(
        'gate `exfil`: `token_env` names `AWS_SECRET_ACCESS_KEY`, which the step does not allow',
      );
      expect(errors.join('\n')).toContain("the step's input `allowed_token_env`");
      expect(errors.join('\n')).toContain(
        `gate \`exfil\`: \`base_url\` is ${evil.origin}, an API root the step does not allow`,
      );
      expect(errors.join('\n')).toContain("the step's input `allowed_base_urls`");
      expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(run.stdout + run.stderr + JSON.stringify(github.checkRuns)).not.toContain(
        'aws-secret-never-sent-42',
      );
    } finally {
      await evil.close();
    }
  });

  it("a TruLayer entry's token_env: TRULAYER_API_KEY runs only when allowed_token_env lists it, and its base_url only when allowed", async () => {
    const env = { TRULAYER_API_KEY: FAKE_TRULAYER_TOKEN };
    const config = TRULAYER_ENTRY(trulayerServer.origin);
    const notListed = await gates({
      ...push(),
      env,
      config,
      inputs: { allowed_base_urls: trulayerServer.origin },
    });
    expect(notListed.exitCode).toBe(1);
    expect(notListed.outputs.reason).toContain(
      '`token_env` names `TRULAYER_API_KEY`, which the step does not allow',
    );
    expect(notListed.outputs.reason).toContain('`allowed_token_env`');

    const foreignRoot = await gates({
      ...push(),
      env,
      config,
      inputs: { allowed_token_env: 'TRULAYER_API_KEY' },
    });
    expect(foreignRoot.exitCode).toBe(1);
    expect(foreignRoot.outputs.reason).toContain('an API root the step does not allow');
    expect(foreignRoot.outputs.reason).not.toContain('allowed_token_env');
    expect(trulayer.requests).toEqual([]);

    // Both halves listed by the workflow: the root as written differently (scheme case, a trailing `/`), the same API root.
    const run = await gates({
      ...push(),
      env,
      config,
      inputs: {
        allowed_token_env: 'OTHER_KEY,\nTRULAYER_API_KEY',
        allowed_base_urls: `https://api.example.com ${trulayerServer.origin.replace('http:', 'HTTP:')}/`,
      },
    });
    expect(run.outputs.reason).not.toMatch(/does not allow/);
    expect(run.exitCode).toBe(0);
    expect(trulayer.requestsTo('POST', '/v1/').length).toBeGreaterThan(0);
    expect(JSON.parse(run.outputs.gates ?? '[]')).toEqual([
      expect.objectContaining({ name: 'search-agent', ran: true, decision: 'pass' }),
    ]);
  }, 60_000);

  it("an invalid item of one list is said once, and the other list's items still count", async () => {
    const env = { TRULAYER_API_KEY: FAKE_TRULAYER_TOKEN };
    const config = TRULAYER_ENTRY(trulayerServer.origin);
    const run = await gates({
      ...push(),
      env,
      config,
      inputs: {
        allowed_token_env: 'TRULAYER_API_KEY',
        allowed_base_urls: `http://example.com/api ${trulayerServer.origin}`,
      },
    });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    const said = errors.join('\n');
    expect(said.match(/`allowed_base_urls` item 1 is refused: plain http/g)).toHaveLength(1);
    // What the step lists is there: no entry is told otherwise.
    expect(said).not.toContain('does not allow');
    expect(run.outputs.reason).not.toContain('does not allow');

    // A variable of the runner in the list is said; the list's other items still count.
    const runner = await gates({
      ...push(),
      env,
      config,
      inputs: {
        allowed_token_env: 'GITHUB_TOKEN TRULAYER_API_KEY',
        allowed_base_urls: trulayerServer.origin,
      },
    });
    expect(runner.exitCode).toBe(1);
    expect(runner.outputs.reason).toContain(
      '`allowed_token_env` lists `GITHUB_TOKEN`, a variable of the runner',
    );
    expect(runner.outputs.reason).not.toContain('does not allow');

    // Allowed in another case: two variables on Linux, said as such.
    const cased = await gates({
      ...push(),
      env,
      config,
      inputs: { allowed_token_env: 'trulayer_api_key', allowed_base_urls: trulayerServer.origin },
    });
    expect(cased.exitCode).toBe(1);
    expect(cased.outputs.reason).toContain(
      "gate `search-agent`: `token_env` names `TRULAYER_API_KEY`, and the step's input `allowed_token_env` lists `trulayer_api_key`, which differs only in letter case",
    );
    expect(trulayer.requests).toEqual([]);
  }, 60_000);

  it('an entry that sets allowed_token_env or allowed_base_urls itself is refused, naming it', async () => {
    const run = await gates({
      ...push(),
      inputs: { campaign_name: 'refund-reliability' },
      env: { MY_KEY: 'x' },
      config: `gates:\n  - name: self-allowing\n    allowed_token_env: MY_KEY\n    allowed_base_urls: http://127.0.0.1:9\n`,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'gate `self-allowing`: `allowed_token_env` cannot be set for one entry: the file comes with the change and may not allow itself',
    );
    expect(run.outputs.reason).toContain(
      'gate `self-allowing`: `allowed_base_urls` cannot be set for one entry',
    );
    expect(sepurux.requests).toEqual([]);
  });

  it('refuses allowed_token_env without config, and one that lists a variable of the runner', async () => {
    const alone = await runAction({
      inputs: {
        base_url: `${backend.origin}/api`,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        trace_id: 'trace-1',
        campaign_name: 'refund-reliability',
        allowed_token_env: 'TRULAYER_API_KEY',
      },
      eventName: 'push',
      payload: webhookExample('push') as any,
      env: { GITHUB_API_URL: api.origin },
    });
    expect(alone.exitCode).toBe(1);
    expect(alone.outputs.reason).toContain('`allowed_token_env` is read only with `config`');
    const runner = await gates({
      ...push(),
      inputs: { campaign_name: 'refund-reliability', allowed_token_env: 'GITHUB_TOKEN' },
      config: `gates:\n  - name: a\n`,
    });
    expect(runner.exitCode).toBe(1);
    expect(runner.outputs.reason).toContain(
      '`allowed_token_env` lists `GITHUB_TOKEN`, a variable of the runner',
    );
    expect(sepurux.requests).toEqual([]);
  });
});

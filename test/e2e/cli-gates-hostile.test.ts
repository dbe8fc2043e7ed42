import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';
import { repositoryOnFeatureBranch } from '../support/git.js';

let sepurux = new FakeSepurux();
let evil = new FakeSepurux({ token: 'whatever-evil' });
let servers: ServedHandlers[];
let dir: string;
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => evil.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  evil = new FakeSepurux({ token: 'whatever-evil' });
  dir = scratchDir('hostile-cli-gates');
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const env = (extra: Record<string, string> = {}) => ({
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PROJECT_PATH: 'acme/agents',
  CI_MERGE_REQUEST_IID: '42',
  CI_COMMIT_SHA: 'c0ffee'.padEnd(40, '0'),
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5005',
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
  ...extra,
});

const CONFIG = `gates:
  - name: support-agent
    paths: [agents/support/**]
    trace_id: trace-1
    campaign_name: checkout-regression
  - name: other
    paths: [other/**]
    trace_id: trace-1
    campaign_name: refund-reliability
`;

function workspace(config = CONFIG): string {
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}

const started = (fake: FakeSepurux) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;

describe('many gates against a hostile repository: command line', () => {
  it("refuses a token_env naming GATE_TOKEN, the step's own credential, for an API root the file chooses", async () => {
    const cwd = workspace(`gates:
  - name: exfil
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: GATE_TOKEN
`);
    const run = await runCli(['--config', '.github/reliability-gates.yml'], env(), cwd);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('`token_env` names `GATE_TOKEN`, a variable of the runner');
    expect(evil.requests).toEqual([]);
    // Another name for the same secret is refused as well: the step's token never goes where the file says.
    const copy = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({
        SUPPORT_KEY: FAKE_TOKEN,
        GATE_ALLOWED_TOKEN_ENV: 'SUPPORT_KEY',
        GATE_ALLOWED_BASE_URLS: servers[1]!.origin,
      }),
      workspace(`gates:
  - name: exfil
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: SUPPORT_KEY
`),
    );
    expect(copy.exitCode).toBe(2);
    expect(copy.stderr).toContain(
      '`token_env` names `SUPPORT_KEY`, which holds --token / GATE_TOKEN',
    );
    expect(evil.requests).toEqual([]);
  });

  it('refuses a token_env naming GATE_GITLAB_TOKEN or CI_JOB_TOKEN', async () => {
    const cwd = workspace(`gates:
  - name: exfil
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: CI_JOB_TOKEN
`);
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({ CI_JOB_TOKEN: 'glcbt-64_secretjobtoken' }),
      cwd,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('`token_env` names `CI_JOB_TOKEN`');
    expect(evil.requests).toEqual([]);
  });

  it("--changed-since: a file renamed out of an entry's paths runs the entry", async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'agents/support'), { recursive: true });
    writeFileSync(
      join(cwd, 'agents/support/prompt.md'),
      'You are a helpful refund agent.\n'.repeat(20),
    );
    const git = repositoryOnFeatureBranch(cwd);
    mkdirSync(join(cwd, 'legacy'), { recursive: true });
    renameSync(join(cwd, 'agents/support/prompt.md'), join(cwd, 'legacy/prompt.md'));
    git('add', '-A');
    git('commit', '-qm', 'move the support prompt out');
    const run = await runCli(
      [
        '--config',
        '.github/reliability-gates.yml',
        '--changed-since',
        'main',
        '--report',
        'r.json',
      ],
      env(),
      cwd,
    );
    // The support agent's prompt left its folder: it is affected, as the action counts previous_filename.
    expect(started(sepurux)).toBe(1);
    expect(run.exitCode).toBe(1);
  });

  it("--changed-files: a rooted or absolute path is read from the repository's root", async () => {
    const cwd = workspace();
    writeFileSync(
      join(cwd, 'changed.txt'),
      `/agents/support/prompt.md\n${cwd}/agents/support/tools.py\n`,
    );
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    expect(started(sepurux)).toBeGreaterThan(0);
    expect(run.exitCode).toBe(1);
  });

  it("refuses an entry's trace_file outside the workspace, before any upload", async () => {
    const outside = scratchDir('outside-workspace');
    mkdirSync(join(outside, '.docker'), { recursive: true });
    writeFileSync(
      join(outside, '.docker/config.json'),
      JSON.stringify({
        auths: { 'ghcr.io': { auth: 'dXNlcjpnaHBfc2VjcmV0cmVnaXN0cnl0b2tlbg==' } },
      }),
    );
    const cwd = workspace(`gates:
  - name: exfil
    trace_file: ${join(outside, '.docker/config.json')}
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: ANY_VARIABLE
`);
    // The attacker's server takes any credential; ANY_VARIABLE is any variable that is set.
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({
        ANY_VARIABLE: 'whatever-evil',
        GATE_ALLOWED_TOKEN_ENV: 'ANY_VARIABLE',
        GATE_ALLOWED_BASE_URLS: servers[1]!.origin,
      }),
      cwd,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('gate `exfil`: `trace_file` is');
    expect(run.stderr).toContain('outside the workspace');
    expect(evil.requests).toEqual([]);
  });

  it("an entry's token echoed by its backend appears in no file the command line writes", async () => {
    const { http, HttpResponse } = await import('msw');
    const echo = await serveHandlers([
      http.all('*', ({ request }) =>
        HttpResponse.json(
          {
            detail: `bad key ${request.headers.get('x-api-key')} for ${request.headers.get('authorization')}`,
          },
          { status: 400 },
        ),
      ),
    ]);
    try {
      const cwd = workspace(`gates:
  - name: echo
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${echo.origin}
    token_env: ECHO_TOKEN
`);
      const secret = 'sx_echo_secret_value_987';
      const run = await runCli(
        [
          '--config',
          '.github/reliability-gates.yml',
          '--report',
          'r.json',
          '--junit',
          'j.xml',
          '--markdown',
          'm.md',
        ],
        env({
          ECHO_TOKEN: secret,
          GATE_ALLOWED_TOKEN_ENV: 'ECHO_TOKEN',
          GATE_ALLOWED_BASE_URLS: echo.origin,
        }),
        cwd,
      );
      const files = ['r.json', 'j.xml', 'm.md']
        .map((f) => readFileSync(join(cwd, f), 'utf8'))
        .join('\n');
      expect(run.exitCode).toBe(1);
      expect(run.stdout + run.stderr + files).not.toContain(secret);
    } finally {
      await echo.close();
    }
  });

  it('--changed-files written as the help says: a non-ASCII path git quotes still reaches its entry', async () => {
    const cwd = workspace(`gates:
  - name: support-agent
    paths: [agents/**]
    trace_id: trace-1
    campaign_name: checkout-regression
`);
    const git = repositoryOnFeatureBranch(cwd);
    mkdirSync(join(cwd, 'agents/café'), { recursive: true });
    writeFileSync(join(cwd, 'agents/café/prompt.md'), 'new prompt\n');
    git('add', '-A');
    git('commit', '-qm', 'change the café agent');
    // The command the --changed-files message and README give, as a CI script runs it.
    writeFileSync(
      join(cwd, 'changed.txt'),
      execFileSync('git', ['diff', '--name-only', 'main...HEAD'], { cwd }),
    );
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    expect(started(sepurux)).toBe(1);
    expect(run.exitCode).toBe(1);
  });
});

/** A config of one entry whose campaign fails, under `paths`: a skip would read as a pass. */
const FAILING = (paths: string) => `gates:
  - name: support
    paths: ${paths}
    trace_id: trace-1
    campaign_name: checkout-regression
`;

describe('many gates against a hostile repository: --changed-files', () => {
  it('a list written with a UTF-8 byte-order mark (PowerShell Set-Content -Encoding UTF8) still reaches the gate', async () => {
    const cwd = workspace(FAILING('[agents/support/**]'));
    writeFileSync(join(cwd, 'changed.txt'), '\ufeffagents/support/prompt.md\r\n');
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    expect({ exit: run.exitCode, started: started(sepurux) }).toEqual({ exit: 1, started: 1 });
  });
});

describe('many gates against a hostile repository: globs', () => {
  it('refuses `agents/(support|billing)/**` up front, rather than match nothing (parentheses are literal)', async () => {
    const cwd = workspace(FAILING('["agents/(support|billing)/**"]'));
    writeFileSync(join(cwd, 'changed.txt'), 'agents/support/prompt.md\n');
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    // Either it matches (as it did) or it is refused up front; a silent skip is a false pass.
    expect(run.exitCode === 2 || started(sepurux) === 1).toBe(true);
  });

  it('refuses a `|` in a glob, which no reader would read alike', async () => {
    const cwd = workspace(FAILING('["agents/a|b/**"]'));
    writeFileSync(join(cwd, 'changed.txt'), 'agents/a|b/prompt.md\n');
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    expect(run.exitCode === 2 || started(sepurux) === 1).toBe(true);
  });
});

describe('many gates against a hostile repository: trace_file kept in the workspace', () => {
  it('a symlink inside the workspace to a file outside it is not uploaded to the API root the file chooses', async () => {
    const outside = scratchDir('gates-hostile-outside');
    writeFileSync(
      join(outside, 'config.json'),
      '{"auths":{"ghcr.io":{"auth":"c2VjcmV0LXJlZ2lzdHJ5LWNyZWRz"}}}',
    );
    const cwd = workspace(`gates:
  - name: exfil
    trace_file: traces/support.json
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: EVIL_KEY
`);
    mkdirSync(join(cwd, 'traces'), { recursive: true });
    symlinkSync(join(outside, 'config.json'), join(cwd, 'traces/support.json'));
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({
        EVIL_KEY: 'whatever-evil',
        GATE_ALLOWED_TOKEN_ENV: 'EVIL_KEY',
        GATE_ALLOWED_BASE_URLS: servers[1]!.origin,
      }),
      cwd,
    );
    const uploaded = JSON.stringify(evil.requests.map((r) => r.body));
    expect({
      exit: run.exitCode,
      leaked: uploaded.includes('c2VjcmV0LXJlZ2lzdHJ5LWNyZWRz'),
    }).toEqual({
      exit: 2,
      leaked: false,
    });
  });
});

describe('many gates against a hostile repository: token_env', () => {
  it("refuses a CI's own agent token the README says the command line runs on (Buildkite)", async () => {
    const cwd = workspace(`gates:
  - name: exfil
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${servers[1]!.origin}
    token_env: BUILDKITE_AGENT_ACCESS_TOKEN
`);
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({ BUILDKITE: 'true', BUILDKITE_AGENT_ACCESS_TOKEN: 'whatever-evil' }),
      cwd,
    );
    expect({ exit: run.exitCode, evil: evil.requests.length }).toEqual({ exit: 2, evil: 0 });
  });
});

describe("many gates against a hostile repository: the step's own inputs", () => {
  it("a step `max_repeats` read by entries that all set `repeats: auto` is not refused as the step's problem", async () => {
    const cwd = workspace(`gates:
  - name: a
    trace_id: trace-1
    campaign_name: refund-reliability
    repeats: auto
  - name: b
    trace_id: trace-1
    campaign_name: refund-reliability
    repeats: auto
`);
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--max-repeats', '6'],
      env(),
      cwd,
    );
    expect(run.stderr).not.toContain('max_repeats');
    expect(run.stderr).not.toContain('max-repeats');
    expect(run.exitCode).not.toBe(2);
  }, 60_000);
});

describe('many gates against a hostile repository: globs that take minutes', () => {
  it('a glob without a `*` but with repeated overlapping braces is refused, or matched within the budget', async () => {
    // 31 groups: 160 characters, no `*`; picomatch's regular expression backtracks 2^31 ways on a name that fails at its end.
    const glob = `agents/${'{a,a}'.repeat(31)}x`;
    const cwd = workspace(FAILING(`["${glob}"]`));
    writeFileSync(join(cwd, 'changed.txt'), `agents/${'a'.repeat(31)}y\n`);
    const run = await runCli(
      [
        '--config',
        '.github/reliability-gates.yml',
        '--changed-files',
        'changed.txt',
        '--timeout',
        '5',
      ],
      env(),
      cwd,
    );
    // The step's budget is 30 s + 5 s; the event loop is blocked while matching, so no timer can end it.
    expect({ exit: run.exitCode, withinBudget: run.durationMs < 45_000 }).toEqual({
      exit: 2,
      withinBudget: true,
    });
  }, 400_000);
});

describe('many gates against a hostile repository: what the pipeline allows', () => {
  const exfil = (origin: string) => `gates:
  - name: exfil
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${origin}
    token_env: AWS_SECRET_ACCESS_KEY
`;

  it('refuses an entry of its own base_url and token_env: AWS_SECRET_ACCESS_KEY before any call, in the command line words', async () => {
    const { createServer } = await import('node:net');
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as import('node:net').AddressInfo;
    try {
      const run = await runCli(
        ['--config', '.github/reliability-gates.yml'],
        env({ AWS_SECRET_ACCESS_KEY: 'aws-secret-never-sent-42' }),
        workspace(exfil(`http://127.0.0.1:${port}`)),
      );
      expect({ exit: run.exitCode, connections, started: sepurux.requests.length }).toEqual({
        exit: 2,
        connections: 0,
        started: 0,
      });
      expect(run.stderr).toContain(
        'gate `exfil`: `token_env` names `AWS_SECRET_ACCESS_KEY`, which the step does not allow',
      );
      expect(run.stderr).toContain(
        'add `AWS_SECRET_ACCESS_KEY` to --allowed-token-env / GATE_ALLOWED_TOKEN_ENV',
      );
      expect(run.stderr).toContain('add it to --allowed-base-urls / GATE_ALLOWED_BASE_URLS');
      expect(run.stderr).not.toContain('aws-secret-never-sent-42');
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  it('runs the entry once the pipeline allows both its variable and its API root, and refuses one the file allows itself', async () => {
    const origin = servers[1]!.origin;
    const allowed = await runCli(
      ['--config', '.github/reliability-gates.yml', '--allowed-base-urls', `${origin}/`],
      env({
        AWS_SECRET_ACCESS_KEY: 'whatever-evil',
        GATE_ALLOWED_TOKEN_ENV: 'AWS_SECRET_ACCESS_KEY',
      }),
      workspace(exfil(origin)),
    );
    expect(allowed.stderr).not.toContain('does not allow');
    expect(started(evil)).toBe(1);

    const selfAllowed = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      env({ AWS_SECRET_ACCESS_KEY: 'whatever-evil' }),
      workspace(
        `${exfil(origin)}    allowed_token_env: AWS_SECRET_ACCESS_KEY\n    allowed_base_urls: ${origin}\n`,
      ),
    );
    expect(selfAllowed.exitCode).toBe(2);
    expect(selfAllowed.stderr).toContain(
      'gate `exfil`: `allowed_token_env` cannot be set for one entry',
    );
    expect(selfAllowed.stderr).toContain(
      'gate `exfil`: `allowed_base_urls` cannot be set for one entry',
    );
    expect(started(evil)).toBe(1);
  }, 60_000);
});

describe("many gates against a hostile repository: the pipeline's lists and the command line's words", () => {
  const entry = (origin: string, tokenEnv = 'TRULAYER_API_KEY') => `gates:
  - name: other-url
    trace_id: trace-1
    campaign_name: refund-reliability
    base_url: ${origin}
${tokenEnv ? `    token_env: ${tokenEnv}\n` : ''}`;

  it("an invalid item of one list is said once, and the other list's items still count", async () => {
    const origin = servers[1]!.origin;
    const run = await runCli(
      [
        '--config',
        '.github/reliability-gates.yml',
        '--allowed-token-env',
        'TRULAYER_API_KEY',
        '--allowed-base-urls',
        `ftp://127.0.0.1:4622 ${origin}`,
      ],
      env({ TRULAYER_API_KEY: 'whatever-evil' }),
      workspace(entry(origin)),
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr.match(/--allowed-base-urls item 1 is refused/g)).toHaveLength(1);
    expect(run.stderr).not.toContain('does not allow');

    const runner = await runCli(
      ['--config', '.github/reliability-gates.yml', '--allowed-base-urls', origin],
      env({ TRULAYER_API_KEY: 'whatever-evil', GATE_ALLOWED_TOKEN_ENV: 'GITHUB_TOKEN' }),
      workspace(entry(origin)),
    );
    expect(runner.exitCode).toBe(2);
    expect(runner.stderr).toContain('lists `GITHUB_TOKEN`, a variable of the runner');
    // The entry's token_env is truly not allowed; its base_url truly is.
    expect(runner.stderr).toContain(
      '`token_env` names `TRULAYER_API_KEY`, which the step does not allow',
    );
    expect(runner.stderr).not.toContain('an API root the step does not allow');

    const cased = await runCli(
      ['--config', '.github/reliability-gates.yml', '--allowed-base-urls', origin],
      env({ TRULAYER_API_KEY: 'whatever-evil', GATE_ALLOWED_TOKEN_ENV: 'trulayer_api_key' }),
      workspace(entry(origin)),
    );
    expect(cased.exitCode).toBe(2);
    expect(cased.stderr).toContain(
      '`token_env` names `TRULAYER_API_KEY`, and --allowed-token-env / GATE_ALLOWED_TOKEN_ENV lists `trulayer_api_key`, which differs only in letter case',
    );
    expect(evil.requests).toEqual([]);
    expect(sepurux.requests).toEqual([]);
  }, 60_000);

  it("names the step's token and a missing config file in the command line's words", async () => {
    const origin = servers[1]!.origin;
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--allowed-base-urls', origin],
      env(),
      workspace(entry(origin, '')),
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "gate `other-url`: `base_url` is the entry's own, and --token / GATE_TOKEN is never sent to an API root the file chooses",
    );
    expect(run.stderr).not.toContain("the step's `token`");

    const missing = await runCli(['--config', 'missing.yml'], env(), workspace());
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(
      "--config names `missing.yml`, which does not exist (run the command from the root of the repository's checkout",
    );
    expect(missing.stderr).not.toContain('actions/checkout');
    expect(evil.requests).toEqual([]);
    expect(sepurux.requests).toEqual([]);
  }, 60_000);
});

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

// Hostile pass 2 against the many-gates fixes of 783b3f0. Each test asserts the SAFE behaviour;
// a failing test is a defect.
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
  dir = scratchDir('gates-hostile-cli-gates');
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const env = (extra: Record<string, string> = {}) => ({
  CI: 'true',
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
  ...extra,
});
function workspace(config: string): string {
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}
const started = (fake: FakeSepurux) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;
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
      env({ EVIL_KEY: 'whatever-evil' }),
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

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN } from '../support/fake-sepurux.js';
import { ACTION_NODE, REPOSITORY_ROOT, runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';

/**
 * `npm run fake-backend` as a newcomer starts it (the script package.json names, with
 * `--port`), and the command-line recipe it prints, pasted into a shell as printed: from the
 * repository's root, on the committed bundle, in a bare environment (a laptop's PATH and HOME).
 */
let fakeBackend: ChildProcess;
let printed = '';
let origin = '';
let scratch = '';

/** Whether `port` on 127.0.0.1 can be listened on now. */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose next one is free too: the fake backend takes both (Sepurux, GitHub). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
    if (port < 65534 && (await free(port + 1))) return port;
  }
  throw new Error('no two free ports in a row on 127.0.0.1');
}

/** What a child started here needs of its own: a laptop's PATH (the Node that runs the bundles first) and HOME, and its temporary files in a scratch folder. */
const bareEnv = () => ({
  PATH: `${dirname(ACTION_NODE)}:${process.env.PATH ?? ''}`,
  HOME: scratch,
  TMPDIR: scratch,
  NODE_COMPILE_CACHE: join(scratch, 'compile-cache'),
  TSX_DISABLE_CACHE: '1',
});

beforeAll(async () => {
  scratch = scratchDir('fake-backend');
  const port = await freePortPair();
  // `npm run fake-backend -- --port N`, without npm in between (it would stand between the signal and the script).
  fakeBackend = spawn(
    process.execPath,
    ['--import', 'tsx/esm', 'scripts/fake-backend.ts', '--port', String(port)],
    { cwd: REPOSITORY_ROOT, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  fakeBackend.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  fakeBackend.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  // The printout ends with the .env's last line.
  const deadline = Date.now() + 50_000;
  while (!printed.includes('GITHUB_RUN_ID=')) {
    if (Date.now() > deadline || fakeBackend.exitCode !== null)
      throw new Error(`npm run fake-backend printed no recipes:\n${printed}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (!fakeBackend || fakeBackend.exitCode !== null) return;
  const exited = new Promise((resolve) => fakeBackend.once('exit', resolve));
  // Ctrl-C, as the printout says.
  fakeBackend.kill('SIGINT');
  await exited;
});

/** The lines of the command line's recipe to paste, in the order printed. */
function recipeLines(): string[] {
  const start = printed.indexOf('The command line');
  const end = printed.indexOf("GitHub's local runner");
  expect(start, printed).toBeGreaterThan(-1);
  expect(end, printed).toBeGreaterThan(start);
  return printed
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.slice(2));
}

/** Runs `lines` as one pasted script in bash, from the repository's root. */
function paste(lines: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const shell = spawn('bash', ['-c', lines.join('\n')], {
      cwd: REPOSITORY_ROOT,
      env: bareEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    shell.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

describe('npm run fake-backend prints a command-line recipe that runs as printed', () => {
  it('prints the GATE_* variables, --base-url, and a passing, a failing and a many-gates command', () => {
    const [variables, passing, failing, manyGates, ...rest] = recipeLines();
    expect(rest).toEqual([]);
    expect(variables).toBe(`export GATE_TOKEN=${FAKE_TOKEN} GATE_PROJECT_ID=${FAKE_PROJECT_ID}`);
    for (const command of [passing, failing, manyGates])
      expect(command).toContain(`--base-url ${origin} `);
    expect(passing).toMatch(/^node dist\/cli\/index\.js /);
    expect(failing).toContain('examples/traces/checkout_flow.json');
    expect(manyGates).toContain('--config reliability-gates.yml');
  });

  it('the passing command exits 0', async () => {
    const [variables, passing] = recipeLines();
    const run = await paste([variables!, passing!]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toBe('pass: Sepurux decided pass, and all 2 thresholds hold.');
  });

  it("the failing command (the demo's regressing trace, on the passing one's campaign) exits 1, and its events are answered", async () => {
    const [variables, , failing] = recipeLines();
    const run = await paste([variables!, failing!]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(lastLine(run.stdout)).toBe(
      'fail: Sepurux decided fail; pass rate 0.72 < 0.85 (--min-pass-rate); unsafe attempts 1 > 0 (--max-unsafe).',
    );
    // Why it failed: the run's policy and security events, read, not a 404 said as an error.
    expect(run.stderr).toMatch(/Read 3 events of run /);
    expect(run.stdout + run.stderr).not.toMatch(/serves no|HTTP 404/);
  });

  it('the many-gates command runs examples/reliability-gates.yml on the traces in examples/traces/', async () => {
    const [variables, , , manyGates] = recipeLines();
    const run = await paste([variables!, manyGates!]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const campaign of ['support-reliability', 'billing-reliability', 'refunds-reliability'])
      expect(run.stderr).toContain(`Campaign "${campaign}" is `);
    // billing-agent's max_pass_rate_drop has no baseline on a laptop: a warning, as on_missing_baseline says.
    expect(lastLine(run.stdout)).toMatch(
      /^warn: 1 of the 3 gates that ran warned: `billing-agent`/,
    );
  });
});

describe("npm run fake-backend plays the demo's world", () => {
  it.each(['refund-reliability', 'support-reliability', 'refund-noisy'])(
    "the demo's regressing trace fails on %s, as anywhere it is sent",
    async (campaign) => {
      const run = await runCli(
        [
          '--base-url',
          origin,
          '--trace-file',
          'examples/traces/checkout_flow.json',
          '--campaign-name',
          campaign,
          '--min-pass-rate',
          '0.85',
        ],
        { GATE_TOKEN: FAKE_TOKEN, GATE_PROJECT_ID: FAKE_PROJECT_ID, ...bareEnv() },
        REPOSITORY_ROOT,
      );
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      expect(lastLine(run.stdout)).toMatch(/^fail: Sepurux decided fail; pass rate 0\.72 < 0\.85/);
    },
  );
});

describe('npm run fake-backend answers only the paths the real service has', () => {
  const headers = { 'X-API-Key': FAKE_TOKEN, 'X-Project-Id': FAKE_PROJECT_ID };

  it.each(['/v1/v1/campaigns', '/api/backend/v1/v1/campaigns', '/elsewhere/v1/campaigns'])(
    '%s (a doubled or unknown base path) is a 404',
    async (path) => {
      const answer = await fetch(`${origin}${path}`, { headers });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({ detail: 'Not Found' });
    },
  );

  it.each(['/v1/campaigns', '/api/backend/v1/campaigns'])(
    '%s lists the campaigns',
    async (path) => {
      const answer = await fetch(`${origin}${path}`, { headers });
      expect(answer.status).toBe(200);
      const { campaigns } = (await answer.json()) as { campaigns: { name: string }[] };
      expect(campaigns.map((c) => c.name)).toEqual(
        expect.arrayContaining(['refund-reliability', 'support-reliability', 'refund-noisy']),
      );
    },
  );
});

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

// The command line on a laptop and in a CI: a baseline report the user names is never silently ignored.
let sepurux = new FakeSepurux();
let server: ServedHandlers;
let dir: string;
beforeAll(async () => {
  server = await serveHandlers(() => sepurux.handlers());
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  dir = scratchDir('cli-baseline-report');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));
afterAll(async () => server.close());

/** No CI variable at all: a laptop's shell. */
const laptop = () => ({
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: server.origin,
});
// A campaign that passes on its own: only the comparison can fail it.
const gate = ['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'];
const compared = (file: string) => [
  ...gate,
  '--max-pass-rate-drop',
  '0.05',
  '--baseline-report',
  file,
];
const lastLine = (text: string) => text.trim().split('\n').at(-1);
const runsStarted = () => sepurux.requestsTo('POST', '/v1/ci/runs').length;

/** main's report, written with a pass rate of 1.0 (and `extra` flags, e.g. its commit). */
async function writeBase(extra: string[] = []) {
  const campaign = sepurux.campaign('refund-reliability');
  const outcome = { decision: 'pass' as const, unsafe_attempts: 0, failures: 0 };
  campaign.outcome = { ...outcome, pass_rate: 1, reliability_score: 95 };
  const base = await runCli([...gate, '--report', join(dir, 'base.json'), ...extra], laptop());
  expect(base.exitCode, base.stderr).toBe(0);
  // The change: the backend still says pass, but 30 points below main.
  campaign.outcome = { ...outcome, pass_rate: 0.7, reliability_score: 70 };
}

describe('--baseline-report names a file the gate cannot compare with: bad input, before any call', () => {
  it('a file that does not exist (a typo) exits 2, said once in the flag’s words, and starts no run', async () => {
    const run = await runCli(compared(join(dir, 'nonexist.json')), laptop());
    expect(run.exitCode, run.stderr).toBe(2);
    const said = run.stderr.split('\n').filter((line) => line.includes('--baseline-report'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('Flag --baseline-report names');
    expect(said[0]).toContain('nonexist.json');
    expect(said[0]).toContain('which does not exist');
    expect(lastLine(run.stdout)).toMatch(/^fail: bad input, 1 problem said on stderr/);
    expect(runsStarted()).toBe(0);
  });

  it('a file that is not a report of the gate, or an empty value, exits 2 and starts no run', async () => {
    await writeFile(join(dir, 'junk.json'), '{"pass_rate": 1}');
    const junk = await runCli(compared(join(dir, 'junk.json')), laptop());
    expect(junk.exitCode, junk.stderr).toBe(2);
    expect(junk.stderr).toContain('is no report of the gate: report junk.json has format version');
    const empty = await runCli(compared(''), laptop());
    expect(empty.exitCode, empty.stderr).toBe(2);
    expect(empty.stderr).toContain('Flag --baseline-report names no file');
    expect(runsStarted()).toBe(0);
  });
});

describe('a --report written with no CI variables, used as --baseline-report', () => {
  it('names no commit: exits 2 saying the fix (--head-sha / GATE_HEAD_SHA), never a warn that lets a drop through', async () => {
    await writeBase();
    const before = runsStarted();
    const run = await runCli(compared(join(dir, 'base.json')), laptop());
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain('base.json');
    expect(run.stderr).toContain('names no commit');
    expect(run.stderr).toContain('--head-sha / GATE_HEAD_SHA');
    expect(runsStarted()).toBe(before);
  });

  it('written with --head-sha, it is compared: a 1.0 → 0.7 pass-rate drop fails (exit 1)', async () => {
    await writeBase(['--head-sha', 'b'.repeat(40)]);
    const run = await runCli(compared(join(dir, 'base.json')), laptop());
    expect(run.exitCode, run.stderr).toBe(1);
    expect(lastLine(run.stdout)).toContain(
      'against the base branch: pass rate drop 0.3 > 0.05 (--max-pass-rate-drop)',
    );
  });
});

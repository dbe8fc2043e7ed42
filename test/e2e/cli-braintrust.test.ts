import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeRow,
  PROJECT_NAME,
  rowsOf,
} from '../support/fake-braintrust.js';
import { runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

let braintrust = new FakeBraintrust();
let backend: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => braintrust.handlers());
});
afterAll(() => backend.close());

/** The bundled command line in a CI job, the key in GATE_TOKEN, gating the fake's experiment with JUnit. */
async function gate(rows: FakeRow[], args: string[] = [], env: Record<string, string> = {}) {
  braintrust = new FakeBraintrust({ experiments: [experimentOf(rows)] });
  const cwd = scratchDir('cli-braintrust');
  const run = await runCli(
    [
      '--backend',
      'braintrust',
      '--base-url',
      backend.origin,
      '--project-name',
      PROJECT_NAME,
      '--experiment-name',
      EXPERIMENT_NAME,
      '--junit',
      'gate.xml',
      ...args,
    ],
    { GATE_TOKEN: FAKE_BRAINTRUST_TOKEN, TMPDIR: cwd, ...env },
    cwd,
  );
  expect(braintrust.violations).toEqual([]);
  const junit = new XMLParser({ ignoreAttributes: false }).parse(
    readFileSync(join(cwd, 'gate.xml'), 'utf8'),
  ) as { testsuites: Record<string, string> };
  return { run, junit: junit.testsuites };
}

describe('the bundled command line on a Braintrust experiment', () => {
  it('pass: exit 0, JUnit without failures', async () => {
    const { run, junit } = await gate(rowsOf(10), ['--min-pass-rate', '0.9']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('pass: Braintrust: 10 of 10 rows of experiment "pr-1347"');
    expect(junit['@_failures']).toBe('0');
  });

  it("fail by pass rate: exit 1, failing JUnit cases, in the flags' words", async () => {
    const { run, junit } = await gate(rowsOf(10, 3), [], { GATE_MIN_PASS_RATE: '0.9' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('(--min-pass-rate)');
    // The threshold, and each of the three failing records as a test case of its own.
    expect(junit['@_failures']).toBe('4');
    expect(run.stdout + run.stderr).not.toMatch(/^::/m);
  });

  it("a wrong key: exit 1, the message names the token in the command line's words", async () => {
    const { run } = await gate(rowsOf(3), ['--min-pass-rate', '0.9'], { GATE_TOKEN: 'bt_wrong' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('HTTP 401');
    expect(run.stdout).not.toContain('`token`');
    expect(run.stdout).toMatch(/GATE_TOKEN|--token/);
    expect(run.stdout + run.stderr).not.toContain('bt_wrong');
  });

  it('repeats: exit 2, an input error', async () => {
    braintrust = new FakeBraintrust();
    const cwd = scratchDir('cli-braintrust');
    const run = await runCli(
      [
        '--backend',
        'braintrust',
        '--experiment-id',
        experimentOf([]).id,
        '--min-pass-rate',
        '0.9',
        '--repeats',
        '2',
      ],
      { GATE_TOKEN: FAKE_BRAINTRUST_TOKEN, GATE_BASE_URL: backend.origin, TMPDIR: cwd },
      cwd,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--repeats');
    expect(braintrust.requests).toHaveLength(0);
  });
});

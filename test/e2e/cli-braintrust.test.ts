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
  return { run, junit: junit.testsuites, cwd };
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

  it("repeats: exit 2, an input error that names Braintrust's own trialCount", async () => {
    const run = await refused(['--repeats', '2']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--repeats');
    expect(run.stderr).toContain('trialCount');
    expect(braintrust.requests).toHaveLength(0);
  });

  it('--retry-errors, --poll-interval, --max-runs given: exit 2, each named, nothing called', async () => {
    const run = await refused(['--retry-errors', '2', '--poll-interval', '1'], {
      GATE_MAX_RUNS: '3',
    });
    expect(run.exitCode).toBe(2);
    for (const flag of ['--retry-errors', '--poll-interval', '--max-runs'])
      expect(run.stderr).toMatch(new RegExp(`${flag} is not read with --backend braintrust`));
    expect(run.stderr).toContain('remove it');
    expect(run.stderr).not.toMatch(/`(retry_errors|poll_interval|max_runs)`/);
    expect(braintrust.requests).toHaveLength(0);
  });

  it('a misspelt --score-name: exit 1, a setup error the gate refuses, never "could not evaluate" (exit 3)', async () => {
    const { run } = await gate(rowsOf(4), ['--min-pass-rate', '0.9', '--score-name', 'Factualty']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('--score-name "Factualty"');
    expect(run.stdout).toContain('"Factuality"');
    expect(run.stdout).not.toContain('could not evaluate');
    expect(run.stdout + run.stderr).not.toContain('`score_name`');
  });

  it('several scores without --score-name: exit 1, the scores listed and the flag to set', async () => {
    const two = rowsOf(4).map((row) => ({
      ...row,
      score: undefined,
      scores: { Factuality: 1, Relevance: 0.5 },
    }));
    const { run } = await gate(two, ['--min-pass-rate', '0.9']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('the rows carry 2 scores ("Factuality", "Relevance")');
    expect(run.stdout).toContain('set --score-name');
    expect(run.stdout).not.toContain('could not evaluate');
  });

  it('an experiment with no rows: exit 3, "could not evaluate the experiment", never a run or --retry-errors', async () => {
    const { run, cwd } = await gate([], ['--min-pass-rate', '0.9', '--markdown', 'gate.md']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain(
      'Braintrust could not evaluate the experiment: experiment "pr-1347" has no rows',
    );
    // The log, on stderr.
    expect(run.stderr).toContain(
      'The experiment ended without a verdict and is not started again: the gate evaluates one experiment that exists',
    );
    expect(run.stdout + run.stderr).not.toMatch(/the run|The run/);
    const markdown = readFileSync(join(cwd, 'gate.md'), 'utf8');
    expect(markdown).toContain('**Could not evaluate**: the experiment has no verdict.');
    // Braintrust reads no --retry-errors (giving it is an input error): the summary names none.
    expect(markdown).not.toContain('--retry-errors');
  });

  it("an experiment id of another project: exit 1, in the flags' words, with the fix", async () => {
    braintrust = new FakeBraintrust();
    const cwd = scratchDir('cli-braintrust');
    const run = await runCli(
      [
        '--backend',
        'braintrust',
        '--base-url',
        backend.origin,
        '--project-name',
        'billing-agent',
        '--experiment-id',
        experimentOf([]).id,
        '--min-pass-rate',
        '0.9',
      ],
      { GATE_TOKEN: FAKE_BRAINTRUST_TOKEN, TMPDIR: cwd },
      cwd,
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('not the one --project-name names');
    expect(run.stdout).toMatch(/set --project-name to "support-agent".*\./);
    expect(run.stdout + run.stderr).not.toMatch(/`project_name`|fails closed$/m);
  });
});

/** The bundled command line refusing its inputs: the key and the fake's address from the variables. */
async function refused(args: string[], env: Record<string, string> = {}) {
  braintrust = new FakeBraintrust();
  const cwd = scratchDir('cli-braintrust');
  return runCli(
    [
      '--backend',
      'braintrust',
      '--experiment-id',
      experimentOf([]).id,
      '--min-pass-rate',
      '0.9',
      ...args,
    ],
    { GATE_TOKEN: FAKE_BRAINTRUST_TOKEN, GATE_BASE_URL: backend.origin, TMPDIR: cwd, ...env },
    cwd,
  );
}

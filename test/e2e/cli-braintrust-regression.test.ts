import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  experimentOf,
  experimentOfCommit,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  PROJECT_NAME,
  recordsFailingAt,
} from '../support/fake-braintrust.js';
import {
  FLIPPING,
  gitlabJob,
  MAIN_LINE,
  MERGE_REQUEST_JOB,
  onMainJob,
} from '../support/regression.js';
import { runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Contract section 14 on the bundled command line for Braintrust, as the end of
// test/e2e/promptfoo-regression.test.ts holds it for promptfoo: main's --report files, read
// back with --history-dir (the history test) or one of them as --baseline-report (the sign test).
let braintrust = new FakeBraintrust();
let backend: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => braintrust.handlers());
});
afterAll(() => backend.close());

/**
 * The command line in a GitLab job (`onMain`: main's commit, else merge request 42) on an
 * experiment of ten records, those at `failing` failing; main's commits each log their own.
 */
async function gate(cwd: string, failing: readonly number[], args: string[], onMain?: string) {
  const rows = recordsFailingAt(failing);
  const experiment = onMain ? experimentOfCommit(rows, onMain) : experimentOf(rows);
  braintrust = new FakeBraintrust({ experiments: [experiment] });
  const run = await runCli(
    [
      '--backend',
      'braintrust',
      '--base-url',
      backend.origin,
      '--project-name',
      PROJECT_NAME,
      '--experiment-name',
      experiment.name,
      '--min-pass-rate',
      '0.3',
      ...args,
    ],
    {
      ...gitlabJob(cwd),
      ...(onMain ? onMainJob(onMain) : MERGE_REQUEST_JOB),
      GATE_TOKEN: FAKE_BRAINTRUST_TOKEN,
    },
    cwd,
  );
  expect(braintrust.violations).toEqual([]);
  return run;
}

describe('the command line on Braintrust, case by case against main’s reports', () => {
  it('--history-dir: three records main never failed exit 1; the flaky ones exit 0', async () => {
    const cwd = scratchDir('cli-braintrust-regression');
    const history = join(cwd, 'history');
    for (const [i, failing] of [...FLIPPING.entries()].reverse()) {
      const report = ['--report', join(history, `main-${5 - i}.json`)];
      const run = await gate(cwd, failing, report, MAIN_LINE[i]);
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      // Written in order: the newest last.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pr = join(cwd, 'pr.json');
    const broke = await gate(cwd, [5, 6, 7], ['--history-dir', history, '--report', pr]);
    expect(broke.exitCode, broke.stdout).toBe(1);
    expect(broke.stdout).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
    const report = JSON.parse(readFileSync(pr, 'utf8')) as {
      cases: { regression: { method: string; cases: { failedIn: number; of: number }[] } };
    };
    expect(report.cases.regression).toMatchObject({ method: 'history' });
    expect(report.cases.regression.cases).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ failedIn: 0, of: 6 })),
    );
    const flaky = await gate(cwd, [0, 1], ['--history-dir', history]);
    expect(flaky.exitCode, flaky.stdout).toBe(0);
    expect(flaky.stdout).not.toContain('a regression, case by case');
  });

  it('--baseline-report: six newly failing exit 1 (the sign test); two and one exit 0', async () => {
    const cwd = scratchDir('cli-braintrust-regression');
    const clean = join(cwd, 'main-clean.json');
    expect((await gate(cwd, [], ['--report', clean], MAIN_LINE[0])).exitCode).toBe(0);
    const six = await gate(cwd, [2, 3, 4, 5, 6, 7], ['--baseline-report', clean]);
    expect(six.exitCode, six.stdout).toBe(1);
    expect(six.stdout).toContain(
      "6 cases newly failing, 0 newly passing against main's last verdict (sign test, the weaker test: p = 0.016)",
    );
    const one = join(cwd, 'main-one.json');
    expect((await gate(cwd, [0], ['--report', one], MAIN_LINE[0])).exitCode).toBe(0);
    const twoAndOne = await gate(cwd, [1, 2], ['--baseline-report', one]);
    expect(twoAndOne.exitCode, twoAndOne.stdout).toBe(0);
  });
});

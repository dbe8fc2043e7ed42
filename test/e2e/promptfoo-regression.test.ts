import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { promptfooWorkspace } from '../support/promptfoo.js';
import { suite } from '../support/promptfoo-suite.js';
import {
  FLIPPING,
  gitlabJob,
  MAIN_LINE as LINE,
  MERGE_REQUEST_JOB,
  onMainJob,
  pushOf,
  REGRESSION_PR as pr,
} from '../support/regression.js';
import { render } from '../support/render.js';
import { runAction, runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Contract section 14: a drop judged case by case, with what main's history says of each case.
// Main's verdicts are the bundled action on main's pushes; each reads a real promptfoo file of
// 20 cases (the support suite's refund and cancel tests, numbered), some rows flipped to the
// real failing rows of the same test, `results.stats` kept consistent.

let github: FakeGitHub;
let api: ServedHandlers;
beforeAll(async () => {
  api = await serveHandlers(() => github.handlers());
});
beforeEach(() => {
  github = new FakeGitHub();
  github.seedLine(LINE);
});
afterAll(async () => api.close());

const step = (file: { text: string }, inputs: Record<string, string>) => ({
  inputs: {
    backend: 'promptfoo',
    results_file: 'results.json',
    github_token: FAKE_GITHUB_TOKEN,
    min_pass_rate: '0.5',
    max_failures: '20',
    ...inputs,
  },
  env: { GITHUB_API_URL: api.origin },
  cwd: promptfooWorkspace({ 'results.json': file }),
});

/** Main's verdicts, oldest first onto the line so that `failingOnMain[0]` is the base commit's. */
async function onMain(failingOnMain: readonly (readonly number[])[]) {
  for (const [i, failing] of [...failingOnMain.entries()].reverse()) {
    const run = await runAction({
      ...step(suite(failing), {}),
      eventName: 'push',
      payload: pushOf(LINE[i]),
    });
    expect(run.outputs.decision).toBeDefined();
  }
}

async function onPullRequest(failing: readonly number[], inputs: Record<string, string> = {}) {
  const run = await runAction({
    ...step(suite(failing), inputs),
    eventName: 'pull_request',
    payload: pr,
  });
  expect(github.violations).toEqual([]);
  const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
  return { run, text: render(body).text.replaceAll('\u200d', '') };
}

describe("a drop judged case by case, against main's history", () => {
  it('failing only the cases main itself flips passes', async () => {
    await onMain(FLIPPING);
    const { run, text } = await onPullRequest([0, 1], { max_pass_rate_drop: '0.2' });
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    expect(text).toContain('Case by case against main: no regression');
    expect(text).toMatch(/3 of 6: flaky/);
  });

  it('three cases failing that main never failed fail it, though the pass rate holds its threshold', async () => {
    await onMain(FLIPPING);
    const { run, text } = await onPullRequest([5, 6, 7], {
      min_pass_rate: '0.8',
      max_pass_rate_drop: '0.2',
    });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
    // Both are judged and shown: the point drop holds, the case test breaks.
    expect(run.outputs.reason).not.toContain('pass rate drop 0.15 >');
    expect(text).toContain('Case by case against main: a regression');
    expect(text).toMatch(/refund within 30 days #6 \(0 of 6\)/);
    expect(text).toContain("Failing cases against main's record (p)");
  });

  it('with one base verdict: six newly failing and none newly passing fails (the sign test)', async () => {
    await onMain([[]]);
    const { run, text } = await onPullRequest([2, 3, 4, 5, 6, 7]);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain(
      "6 cases newly failing, 0 newly passing against main's last verdict (sign test, the weaker test: p = 0.016)",
    );
    expect(text).toContain('Newly failing: ');
  });

  it('with one base verdict: two newly failing and one newly passing passes', async () => {
    await onMain([[0]]);
    const { run } = await onPullRequest([1, 2]);
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
  });

  it('`regression_alpha: off` judges the point drop alone', async () => {
    await onMain(FLIPPING);
    const { run, text } = await onPullRequest([5, 6, 7], { regression_alpha: 'off' });
    expect(run.outputs.decision).toBe('pass');
    expect(text).not.toContain('Case by case against main');
  });
});

describe('the command line, with main’s reports (--history-dir)', () => {
  it('three cases failing that main never failed exit 1; the flaky ones exit 0', async () => {
    const cwd = promptfooWorkspace();
    const history = join(cwd, 'history');
    const env = gitlabJob(cwd);
    const gate = async (
      failing: readonly number[],
      args: string[],
      more: Record<string, string>,
    ) => {
      const file = `results-${failing.join('-') || 'none'}.json`;
      await import('node:fs/promises').then((fs) =>
        fs.writeFile(join(cwd, file), suite(failing).text),
      );
      return runCli(
        [
          '--backend',
          'promptfoo',
          '--results-file',
          file,
          '--min-pass-rate',
          '0.5',
          '--max-failures',
          '20',
          ...args,
        ],
        { ...env, ...more },
        cwd,
      );
    };
    for (const [i, failing] of [...FLIPPING.entries()].reverse()) {
      const run = await gate(
        failing,
        ['--report', join(history, `main-${5 - i}.json`)],
        onMainJob(LINE[i]!),
      );
      expect(run.exitCode, run.stderr).toBe(0);
      // Written in order: the newest last.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const change = MERGE_REQUEST_JOB;
    const broke = await gate(
      [5, 6, 7],
      ['--history-dir', history, '--report', join(cwd, 'pr.json')],
      change,
    );
    expect(broke.exitCode, broke.stdout).toBe(1);
    expect(broke.stdout).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = /,
    );
    const report = JSON.parse(readFileSync(join(cwd, 'pr.json'), 'utf8')) as {
      cases: { regression: { method: string; p: number; cases: { failedIn: number }[] } };
    };
    expect(report.cases.regression).toMatchObject({ method: 'history' });
    expect(report.cases.regression.cases).toHaveLength(3);
    const flaky = await gate([0, 1], ['--history-dir', history], change);
    expect(flaky.exitCode, flaky.stdout).toBe(0);
  });
});

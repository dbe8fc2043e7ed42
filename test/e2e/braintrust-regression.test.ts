import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  experimentOf,
  experimentOfCommit,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeRow,
  PROJECT_NAME,
  recordsFailingAt as failingAt,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { render } from '../support/render.js';
import { FLIPPING, MAIN_LINE as LINE, pushOf, REGRESSION_PR as pr } from '../support/regression.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Contract section 14 for Braintrust, as test/e2e/promptfoo-regression.test.ts holds it for
// promptfoo: a drop judged case by case (dataset records), with what main's history says of each
// (test/e2e/cli-braintrust-regression.test.ts holds the command line to it).
// Main's verdicts are the bundled action on main's pushes, each reading a fake experiment of ten
// records, those at the failing indices (0-based) scoring under `pass_score`.

let braintrust = new FakeBraintrust();
let github: FakeGitHub;
let backend: ServedHandlers;
let api: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => braintrust.handlers());
  api = await serveHandlers(() => github.handlers());
});
beforeEach(() => {
  github = new FakeGitHub();
  github.seedLine(LINE);
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

/** The step on an experiment of these rows (main's commit `sha`'s, or the pull request's); the fake serves only it. */
const step = (rows: FakeRow[], inputs: Record<string, string>, sha?: string) => {
  const experiment = sha ? experimentOfCommit(rows, sha) : experimentOf(rows);
  braintrust = new FakeBraintrust({ experiments: [experiment] });
  return {
    inputs: {
      backend: 'braintrust',
      base_url: backend.origin,
      token: FAKE_BRAINTRUST_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      project_name: PROJECT_NAME,
      experiment_name: experiment.name,
      min_pass_rate: '0.3',
      ...inputs,
    },
    env: { GITHUB_API_URL: api.origin },
  };
};

/** Main's verdicts, oldest first onto the line so that `failingOnMain[0]` is the base commit's. */
async function onMain(failingOnMain: readonly (readonly number[])[]) {
  for (const [i, failing] of [...failingOnMain.entries()].reverse()) {
    const run = await runAction({
      ...step(failingAt(failing), {}),
      eventName: 'push',
      payload: pushOf(LINE[i]),
    });
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
  }
}

async function onPullRequest(
  failing: readonly number[],
  inputs: Record<string, string> = {},
  rows = failingAt(failing),
) {
  const run = await runAction({ ...step(rows, inputs), eventName: 'pull_request', payload: pr });
  expect(braintrust.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
  return { run, text: render(body).text.replaceAll('\u200d', '') };
}

describe("a Braintrust experiment judged record by record, against main's history", () => {
  it('failing only the records main itself flips passes', async () => {
    await onMain(FLIPPING);
    const { run, text } = await onPullRequest([0, 1], { max_pass_rate_drop: '0.2' });
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    expect(text).toContain('Case by case against main: no regression');
    expect(text).toMatch(/3 of 6: flaky/);
  });

  it('three records failing that main never failed fail it, though the pass rate holds its threshold', async () => {
    await onMain(FLIPPING);
    // 0.7 against main's 0.9: the point drop (0.2) holds 0.3, the pass rate holds 0.6.
    const { run, text } = await onPullRequest([5, 6, 7], {
      min_pass_rate: '0.6',
      max_pass_rate_drop: '0.3',
    });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
    expect(run.outputs.reason).toContain('the pass rate drop holds too');
    expect(run.outputs.reason).not.toContain('pass rate 0.7 <');
    expect(text).toContain('Case by case against main: a regression');
    expect(text).toMatch(/\{"question":"question 6"\} \(0 of 6\)/);
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
    const { run, text } = await onPullRequest([1, 2]);
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    // Judged, not skipped: the sign test on the pairs holds.
    expect(text).toContain("2 cases newly failing, 1 newly passing against main's last verdict");
  });

  it('a record that errored is left out, and said so', async () => {
    await onMain([[]]);
    const rows = failingAt([2, 3, 4, 5, 6]).map((row, i) =>
      i === 8 ? { ...row, score: undefined, error: 'rate limited' } : row,
    );
    const { run } = await onPullRequest([], { min_coverage: '80' }, rows);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain(
      "5 cases newly failing, 0 newly passing against main's last verdict (sign test, the weaker test: p = 0.031); 1 case that errored left out",
    );
  });

  it('with trials (several rows a record): a record failing in one trial of three is failing', async () => {
    // `braintrust eval` with `trialCount: 3` and no dataset: three rows of each input.
    const trials = (failing: readonly number[]) =>
      failingAt([]).flatMap(({ input, score, tokens }, i) => {
        const row = { input, score, tokens };
        return [failing.includes(i) ? { ...row, score: 0.2 } : row, row, row];
      });
    for (const [i, failing] of [...FLIPPING.entries()].reverse()) {
      const run = await runAction({
        ...step(trials(failing), {}, LINE[i]),
        eventName: 'push',
        payload: pushOf(LINE[i]),
      });
      expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    }
    const flaky = await onPullRequest([], {}, trials([0, 1]));
    expect(flaky.run.outputs.decision, flaky.run.outputs.reason).toBe('pass');
    const broke = await onPullRequest([], { min_pass_rate: '0.8' }, trials([5, 6, 7]));
    expect(broke.run.outputs).toMatchObject({ decision: 'fail', pass_rate: '0.9' });
    expect(broke.run.outputs.reason).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
  });

  it('`regression_alpha: off` judges the point drop alone', async () => {
    await onMain(FLIPPING);
    const { run, text } = await onPullRequest([5, 6, 7], { regression_alpha: 'off' });
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    expect(text).not.toContain('Case by case against main');
  });
});

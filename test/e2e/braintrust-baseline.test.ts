import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeRow,
  PROJECT_NAME,
  rowsOf,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { ENGINES, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// A Braintrust experiment's verdicts on main, read back as the baseline and history of a pull
// request's, case by case (dataset records): the bundled action on main's pushes, then on the pull request.
const pr = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};
const BASE = pr.pull_request.base.sha;
/** Main's line, newest (the base commit) first. */
const LINE = [BASE, ...Array.from({ length: 4 }, (_, i) => `${i + 1}`.repeat(40))];

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

const step = (rows: FakeRow[], inputs: Record<string, string>) => {
  braintrust = new FakeBraintrust({ experiments: [experimentOf(rows)] });
  return {
    inputs: {
      backend: 'braintrust',
      base_url: backend.origin,
      token: FAKE_BRAINTRUST_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      project_name: PROJECT_NAME,
      experiment_name: EXPERIMENT_NAME,
      min_pass_rate: '0.5',
      ...inputs,
    },
    env: { GITHUB_API_URL: api.origin },
  };
};

/** The gate on a push of main's commit `sha`: its check holds the record a later change compares with. */
async function onMain(sha: string, rows: FakeRow[]) {
  const push = { ...(webhookExample('push') as Record<string, unknown>), after: sha };
  const run = await runAction({ ...step(rows, {}), eventName: 'push', payload: push });
  expect(run.outputs.decision).toBe('pass');
}

async function onPullRequest(rows: FakeRow[], inputs: Record<string, string> = {}) {
  const run = await runAction({ ...step(rows, inputs), eventName: 'pull_request', payload: pr });
  expect(braintrust.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
  return { run, body };
}

/** The failing-cases table as a reviewer reads it: case, passed, beside the base branch. */
const caseRows = (body: string, engine: (typeof ENGINES)[number] = 'micromark') =>
  render(body, engine)
    .rows.filter((row) => row.length === 4 && row[0] !== 'Case')
    .map((row) => row.slice(0, 3).map((cell) => cell.replaceAll('\u200d', '')));

/** Ten dataset records, those at `failing` (0-based) scoring under `pass_score`. */
const failingAt = (...failing: number[]) =>
  rowsOf(10).map((row, i) => (failing.includes(i) ? { ...row, score: 0.2 } : row));

describe("a Braintrust experiment beside main's verdicts, case by case", () => {
  it('a record that passed on main and fails now is new; the drop is judged on the pass rate', async () => {
    await onMain(BASE, failingAt());
    const { run, body } = await onPullRequest(failingAt(2, 5, 7), { max_pass_rate_drop: '0.2' });
    expect(run.outputs).toMatchObject({ decision: 'fail', baseline_sha: BASE, pass_rate: '0.7' });
    expect(run.outputs.reason).toContain('pass rate drop 0.3 > 0.2');
    for (const engine of ENGINES)
      expect(caseRows(body, engine)).toContainEqual([
        '{"question":"question 3"}',
        '0 of 1',
        `new: passed on ${BASE.slice(0, 7)}; never failed in 1 base-branch verdict`,
      ]);
    expect(render(body).text).toContain('Failing cases (3 of 10; 3 new)');
  });

  it("with main's history: how often each failing record failed there", async () => {
    // Record 1 fails on main two verdicts in four; the others never did.
    await onMain(LINE[0]!, failingAt());
    await onMain(LINE[1]!, failingAt(0));
    await onMain(LINE[2]!, failingAt());
    await onMain(LINE[3]!, failingAt(0));
    const { body } = await onPullRequest(failingAt(0, 4));
    const rows = caseRows(body);
    expect(rows.find((row) => row[0] === '{"question":"question 1"}')?.[2]).toContain(
      'failed in 2 of 4: flaky',
    );
    const fresh = rows.find((row) => row[0] === '{"question":"question 5"}');
    expect(fresh?.[2]).toContain('never failed in 4 base-branch verdicts');
  });

  it('an input edited but the same dataset record: still the same case', async () => {
    await onMain(BASE, failingAt());
    const edited = failingAt(3).map((row) => ({
      ...row,
      input: { ...(row.input as object), v: 2 },
    }));
    const { run, body } = await onPullRequest(edited);
    expect(run.outputs.baseline_sha).toBe(BASE);
    expect(render(body).text).toContain('Failing cases (1 of 10; 1 new)');
  });
});

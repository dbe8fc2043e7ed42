import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { type PromptfooSource, promptfooJson, promptfooWorkspace } from '../support/promptfoo.js';
import { ENGINES, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// A promptfoo suite's verdicts on main, read back as the baseline and history of a pull
// request's, case by case: the bundled action on main's pushes, then on the pull request.
const pr = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};
const BASE = pr.pull_request.base.sha;
/** Main's line, newest (the base commit) first. */
const LINE = [BASE, ...Array.from({ length: 4 }, (_, i) => `${i + 1}`.repeat(40))];

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

const step = (file: PromptfooSource, inputs: Record<string, string>) => ({
  inputs: {
    backend: 'promptfoo',
    results_file: 'results.json',
    github_token: FAKE_GITHUB_TOKEN,
    ...inputs,
  },
  env: { GITHUB_API_URL: api.origin },
  cwd: promptfooWorkspace({ 'results.json': file }),
});

/** The gate on a push of main's commit `sha`: its check holds the record a later change compares with. */
async function onMain(sha: string, file: PromptfooSource, inputs: Record<string, string> = {}) {
  const push = { ...(webhookExample('push') as Record<string, unknown>), after: sha };
  const run = await runAction({ ...step(file, inputs), eventName: 'push', payload: push });
  expect(run.outputs.decision).toBeDefined();
}

async function onPullRequest(file: PromptfooSource, inputs: Record<string, string> = {}) {
  const run = await runAction({ ...step(file, inputs), eventName: 'pull_request', payload: pr });
  expect(github.violations).toEqual([]);
  const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
  return { run, body };
}

/** The failing-cases table as a reviewer reads it: case, passed, beside the base branch. */
const caseRows = (body: string, engine: (typeof ENGINES)[number] = 'micromark') =>
  render(body, engine)
    .rows.filter((row) => row.length === 4 && row[0] !== 'Case')
    .map((row) => row.slice(0, 3).map((cell) => cell.replaceAll('\u200d', '')));

describe("a promptfoo suite beside main's verdicts, case by case", () => {
  it('a case that passed on main and fails now is new; the drop is judged on the pass rate', async () => {
    await onMain(BASE, 'pass');
    const { run, body } = await onPullRequest('regressed', {
      min_pass_rate: '0.4',
      max_pass_rate_drop: '0.2',
    });
    expect(run.outputs).toMatchObject({ decision: 'fail', baseline_sha: BASE });
    expect(run.outputs.reason).toContain('pass rate drop 0.5 > 0.2');
    for (const engine of ENGINES)
      expect(caseRows(body, engine)).toContainEqual([
        'refund within 30 days',
        '0 of 1',
        `new: passed on ${BASE.slice(0, 7)}; never failed in 1 base-branch verdict`,
      ]);
    expect(render(body).text).toContain('Failing cases (2 of 4; 2 new)');
  });

  it("with main's history: how often each failing case failed there", async () => {
    // The refund case fails on main two verdicts in four; the others never did.
    const flaky = promptfooJson('regressed');
    const refundOnly = promptfooJson('pass');
    refundOnly.results.results[0] = flaky.results.results[0]!;
    refundOnly.results.stats = { ...refundOnly.results.stats, successes: 3, failures: 1 };
    await onMain(LINE[0]!, 'pass');
    await onMain(LINE[1]!, { text: JSON.stringify(refundOnly) });
    await onMain(LINE[2]!, 'pass');
    await onMain(LINE[3]!, { text: JSON.stringify(refundOnly) });
    const { body } = await onPullRequest('regressed', { min_pass_rate: '0.4' });
    const rows = caseRows(body);
    const refund = rows.find((row) => row[0] === 'refund within 30 days');
    expect(refund?.[2]).toContain('failed in 2 of 4: flaky');
    const cancel = rows.find((row) => row[0]?.startsWith('cancel @octocat'));
    expect(cancel?.[2]).toContain('new: passed on');
    expect(cancel?.[2]).toContain('never failed in 4 base-branch verdicts');
    // New failures first.
    expect(rows[0]?.[0]).toMatch(/^cancel/);
  });

  it('a base verdict of another suite is not comparable', async () => {
    await onMain(BASE, 'repeats');
    const { run, body } = await onPullRequest('regressed', {
      min_pass_rate: '0.4',
      max_pass_rate_drop: '0.2',
    });
    expect(run.outputs.baseline_sha).toBe('');
    expect(run.outputs.decision).toBe('warn');
    expect(render(body).text).toContain('is of another suite');
  });
});

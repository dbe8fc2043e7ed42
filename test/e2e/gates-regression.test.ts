import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { suite } from '../support/promptfoo-suite.js';
import { render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// Contract sections 11 and 14: under many gates, each entry's failing cases are judged against
// main's record of that entry's cases, by the bundled action as the runner starts it. Main's
// verdicts are the same step on main's pushes; each entry reads a real promptfoo file of 20 cases.
const pr = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};
/** Main's line, newest (the base commit) first. */
const LINE = [
  pr.pull_request.base.sha,
  ...Array.from({ length: 6 }, (_, i) => `${i + 1}`.repeat(40)),
];

const CONFIG = `gates:
  - name: support-agent
    backend: promptfoo
    results_file: results/support.json
    min_pass_rate: 0.8
    max_pass_rate_drop: 0.2
  - name: billing-agent
    backend: promptfoo
    results_file: results/billing.json
    min_pass_rate: 0.8
`;

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

/** The config's step on `event`, with support's cases in `support` failing and billing's in `billing`. */
async function step(
  event: { eventName: string; payload: Record<string, unknown> },
  support: readonly number[],
  billing: readonly number[] = [],
) {
  const cwd = scratchDir('gates-regression');
  mkdirSync(join(cwd, '.github'), { recursive: true });
  mkdirSync(join(cwd, 'results'));
  writeFileSync(join(cwd, '.github/reliability-gates.yml'), CONFIG);
  writeFileSync(join(cwd, 'results/support.json'), suite(support).text);
  writeFileSync(join(cwd, 'results/billing.json'), suite(billing).text);
  return runAction({
    inputs: { config: '.github/reliability-gates.yml', github_token: FAKE_GITHUB_TOKEN },
    ...event,
    env: { GITHUB_API_URL: api.origin },
    cwd,
  });
}

/** Six verdicts on main, oldest first onto the line: support's cases 0 and 1 flip, the others never failed. */
async function onMain() {
  const flipping = [[0], [1], [0, 1], [], [0], [1]];
  for (const [i, failing] of [...flipping.entries()].reverse()) {
    const push = { ...(webhookExample('push') as Record<string, unknown>), after: LINE[i] };
    const run = await step({ eventName: 'push', payload: push }, failing);
    expect(run.outputs.gates_run, run.outputs.reason).toBe('2');
  }
}

describe("many gates: an entry's regression judged case by case against main's record of that entry", () => {
  it('three cases main never failed fail the one entry, though its pass rate holds; the other entry passes', async () => {
    await onMain();
    const run = await step({ eventName: 'pull_request', payload: pr }, [5, 6, 7]);
    expect(github.violations).toEqual([]);
    expect(run.outputs.decision).toBe('fail');
    const entries = JSON.parse(run.outputs.gates ?? '[]') as { name: string; decision: string }[];
    expect(entries.map((e) => [e.name, e.decision])).toEqual([
      ['support-agent', 'fail'],
      ['billing-agent', 'pass'],
    ]);
    expect(run.outputs.reason).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
    const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
    const text = render(body).text.replaceAll('\u200d', '');
    expect(text).toContain('Case by case against main: a regression');
    expect(text).toMatch(/refund within 30 days #6 \(0 of 6\)/);
    expect(github.checkRuns.at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it("failing only the cases main's record of the entry shows flipping passes", async () => {
    await onMain();
    const run = await step({ eventName: 'pull_request', payload: pr }, [0, 1]);
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
    expect(render(body).text).toMatch(/3 of 6: flaky/);
  });
});

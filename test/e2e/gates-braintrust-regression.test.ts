import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  PROJECT_NAME,
  recordsFailingAt,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from '../support/promptfoo.js';
import { FLIPPING, MAIN_LINE, pushOf, REGRESSION_PR as pr } from '../support/regression.js';
import { render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Contract sections 11 and 14 for a Braintrust entry, as test/e2e/gates-regression.test.ts holds
// them for promptfoo's: under many gates, the entry's failing records are judged against main's
// record of that entry, beside a promptfoo entry that passes, by the bundled action.
let braintrust = new FakeBraintrust();
let github: FakeGitHub;
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => braintrust.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  github = new FakeGitHub();
  github.seedLine(MAIN_LINE);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const config = (origin: string) => `gates:
  - name: support-suite
    backend: promptfoo
    results_file: results/support.json
  - name: support-experiment
    backend: braintrust
    token_env: BRAINTRUST_API_KEY
    base_url: ${origin}
    project_name: ${PROJECT_NAME}
    experiment_name: ${EXPERIMENT_NAME}
    min_pass_rate: 0.6
    max_pass_rate_drop: 0.3
`;

/** The config's step on `event`, the experiment's records at `failing` failing. */
async function step(
  event: { eventName: string; payload: Record<string, unknown> },
  failing: readonly number[],
) {
  braintrust = new FakeBraintrust({ experiments: [experimentOf(recordsFailingAt(failing))] });
  const cwd = scratchDir('gates-braintrust-regression');
  mkdirSync(join(cwd, '.github'), { recursive: true });
  mkdirSync(join(cwd, 'results'));
  writeFileSync(join(cwd, '.github/reliability-gates.yml'), config(servers[0]!.origin));
  copyFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.pass), join(cwd, 'results/support.json'));
  const run = await runAction({
    inputs: {
      config: '.github/reliability-gates.yml',
      github_token: FAKE_GITHUB_TOKEN,
      allowed_token_env: 'BRAINTRUST_API_KEY',
      allowed_base_urls: servers[0]!.origin,
    },
    ...event,
    env: { GITHUB_API_URL: servers[1]!.origin, BRAINTRUST_API_KEY: FAKE_BRAINTRUST_TOKEN },
    cwd,
  });
  expect(braintrust.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  return run;
}

/** Six verdicts on main, oldest first onto the line: records 0 and 1 flip, the others never failed. */
async function onMain() {
  for (const [i, failing] of [...FLIPPING.entries()].reverse()) {
    const run = await step({ eventName: 'push', payload: pushOf(MAIN_LINE[i]) }, failing);
    expect(run.outputs.gates_run, run.outputs.reason).toBe('2');
  }
}

async function onPullRequest(failing: readonly number[]) {
  const run = await step({ eventName: 'pull_request', payload: pr }, failing);
  const entries = JSON.parse(run.outputs.gates ?? '[]') as { name: string; decision: string }[];
  const body = github.comments.get(pr.pull_request.number)?.at(-1)?.body ?? '';
  return {
    run,
    entries: entries.map((e) => [e.name, e.decision]),
    text: render(body).text.replaceAll('\u200d', ''),
  };
}

describe("many gates: a Braintrust entry's records judged against main's record of that entry", () => {
  it('three records main never failed fail the entry, though its pass rate holds; the other passes', async () => {
    await onMain();
    const { run, entries, text } = await onPullRequest([5, 6, 7]);
    expect(entries).toEqual([
      ['support-suite', 'pass'],
      ['support-experiment', 'fail'],
    ]);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /3 cases failing that main never failed in its last 6 verdicts \(p = 0\.0\d+\)/,
    );
    expect(text).toContain('Case by case against main: a regression');
    expect(text).toMatch(/\{"question":"question 6"\} \(0 of 6\)/);
    expect(github.checkRuns.at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it("failing only the records main's record of the entry shows flipping passes", async () => {
    await onMain();
    const { run, text } = await onPullRequest([0, 1]);
    expect(run.outputs.decision, run.outputs.reason).toBe('pass');
    expect(text).toContain('Case by case against main: no regression');
    expect(text).toMatch(/3 of 6: flaky/);
  });
});

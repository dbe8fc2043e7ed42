import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  PROJECT_NAME,
  rowsOf,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from '../support/promptfoo.js';
import { render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// One repository, one step, one check: a promptfoo suite and a Braintrust experiment as two
// entries of a config file, the Braintrust entry's key from the variable the workflow allows.
let braintrust = new FakeBraintrust();
let github = new FakeGitHub();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => braintrust.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const config = (origin: string) => `gates:
  - name: support-suite
    paths: agents/support/**
    backend: promptfoo
    results_file: results/support.json
  - name: support-experiment
    paths: agents/support/**
    backend: braintrust
    token_env: BRAINTRUST_API_KEY
    base_url: ${origin}
    project_name: ${PROJECT_NAME}
    experiment_name: ${EXPERIMENT_NAME}
    min_pass_rate: 0.9
`;

async function gates(failing: number, step: Record<string, string> = {}) {
  braintrust = new FakeBraintrust({ experiments: [experimentOf(rowsOf(10, failing))] });
  github = new FakeGitHub();
  const dir = scratchDir('gates-braintrust');
  mkdirSync(join(dir, '.github'), { recursive: true });
  mkdirSync(join(dir, 'results'));
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config(servers[0]!.origin));
  copyFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.pass), join(dir, 'results/support.json'));
  const payload = webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
  github.seedPullFiles(payload.pull_request.number, ['agents/support/prompt.md']);
  const run = await runAction({
    inputs: {
      github_token: FAKE_GITHUB_TOKEN,
      config: '.github/reliability-gates.yml',
      allowed_token_env: 'BRAINTRUST_API_KEY',
      allowed_base_urls: servers[0]!.origin,
      ...step,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin, BRAINTRUST_API_KEY: FAKE_BRAINTRUST_TOKEN },
    cwd: dir,
  });
  expect(braintrust.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  const body = github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
  return {
    run,
    comment: render(body).text,
    entries: (JSON.parse(run.outputs.gates ?? '[]') as { name: string; decision: string }[]).map(
      (e) => [e.name, e.decision],
    ),
  };
}

describe('many gates: a Braintrust entry beside a promptfoo one', () => {
  it('both run; the experiment that regressed fails the one check, its failing cases in its section', async () => {
    const { run, entries, comment } = await gates(3);
    expect(entries).toEqual([
      ['support-suite', 'pass'],
      ['support-experiment', 'fail'],
    ]);
    expect(run.outputs.decision).toBe('fail');
    expect(github.checkRuns[0]).toMatchObject({ name: 'Reliability gates', conclusion: 'failure' });
    expect(comment).toContain('Failing cases (3 of 10)');
    // The key went only to the Braintrust entry's base_url, as a bearer; never printed.
    expect(braintrust.requests.length).toBeGreaterThan(0);
    expect(
      braintrust.requests.every(
        (r) => r.headers.authorization === `Bearer ${FAKE_BRAINTRUST_TOKEN}`,
      ),
    ).toBe(true);
    const printed = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(FAKE_BRAINTRUST_TOKEN);
  });

  it('both pass: the check succeeds', async () => {
    const { run, entries } = await gates(0);
    expect(entries).toEqual([
      ['support-suite', 'pass'],
      ['support-experiment', 'pass'],
    ]);
    expect(run.outputs.decision).toBe('pass');
  });

  it("the step's retry_errors and poll_interval are for other entries: the Braintrust entry, which reads neither, does not inherit them", async () => {
    const { run, entries } = await gates(0, { retry_errors: '2', poll_interval: '1' });
    expect(run.annotations.map((a) => a.message).join('\n')).not.toContain('is not read with');
    expect(entries).toEqual([
      ['support-suite', 'pass'],
      ['support-experiment', 'pass'],
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeBraintrustOptions,
  type FakeRow,
  ORG_ID,
  PROJECT_ID,
  PROJECT_NAME,
  rowsOf,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { pullRequestPayload } from '../support/pull-request.js';
import { ENGINES, mentions, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

let braintrust = new FakeBraintrust();
let github = new FakeGitHub();
let backend: ServedHandlers;
let api: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => braintrust.handlers());
  api = await serveHandlers(() => github.handlers());
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

/** The bundled action on a pull request, as the runner runs it, gating an experiment of the fake Braintrust. */
async function gate(inputs: Record<string, string>, options: FakeBraintrustOptions = {}) {
  braintrust = new FakeBraintrust(options);
  github = new FakeGitHub();
  const payload = pullRequestPayload();
  const run = await runAction({
    inputs: {
      backend: 'braintrust',
      base_url: backend.origin,
      token: FAKE_BRAINTRUST_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      project_name: PROJECT_NAME,
      experiment_name: EXPERIMENT_NAME,
      ...inputs,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: api.origin },
  });
  expect(braintrust.violations).toEqual([]);
  expect(github.violations).toEqual([]);
  const body = github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
  return { run, body, comment: render(body).text, check: github.checkRuns[0] };
}

const rows = (list: FakeRow[]) => ({ experiments: [experimentOf(list)] });

describe('the bundled action on a Braintrust experiment', () => {
  it('pass: root spans judged on the score, the experiment linked, tokens shown', async () => {
    const { run, check, comment } = await gate({ min_pass_rate: '0.9', score_floor: '0.8' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      pass_rate: '1',
      mean_score: '1',
      failures: '0',
      rows_evaluated: '10',
      rows_errored: '0',
      cases: '10',
      tokens: '1000',
      experiment_id: experimentOf([]).id,
      project_id: PROJECT_ID,
      score_name: 'Factuality',
    });
    expect(run.outputs.dashboard_url).toBe(
      'https://www.braintrust.dev/app/octo%20org/p/support-agent/experiments/pr-1347',
    );
    expect(check).toMatchObject({ name: 'Braintrust Gate', conclusion: 'success' });
    expect(comment).toContain('10 of 10 rows of experiment "pr-1347" reached Factuality 1');
    // Only the key in `token`, as a bearer, and only to base_url.
    expect(
      braintrust.requests.every(
        (r) => r.headers.authorization === `Bearer ${FAKE_BRAINTRUST_TOKEN}`,
      ),
    ).toBe(true);
    const printed = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(FAKE_BRAINTRUST_TOKEN);
    expect(braintrust.requestsTo('GET', `/v1/organization/${ORG_ID}`)).toHaveLength(1);
  });

  it("with confidence: the floor judged on the mean score's interval, kept within 0..1", async () => {
    const { run, comment } = await gate(
      { score_floor: '0.7', confidence: '0.95', pass_score: '0.5' },
      rows(rowsOf(10, 3)),
    );
    // Mean 0.76, its interval reaching under 0.7: inconclusive, which fails by default.
    expect(run.outputs).toMatchObject({ decision: 'fail', mean_score: '0.76' });
    expect(comment).toMatch(/mean score 0\.76 \[0\.48\d*, 1\]/);
  });

  it('fail by floor: the mean score under score_floor', async () => {
    const { run, check } = await gate(
      { score_floor: '0.9', pass_score: '0.5' },
      rows(rowsOf(10, 3)),
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', mean_score: '0.76', pass_rate: '0.7' });
    expect(run.outputs.reason).toContain('`score_floor`');
    expect(run.outputs.reason).not.toContain('said pass');
    expect(check?.conclusion).toBe('failure');
  });

  it('fail by pass rate: rows under pass_score fail, the failing cases listed first', async () => {
    const { run, comment } = await gate({ min_pass_rate: '0.9' }, rows(rowsOf(10, 2)));
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      decision: 'fail',
      pass_rate: '0.8',
      failures: '2',
      cases_failing: '2',
    });
    expect(run.outputs.reason).toContain('`min_pass_rate`');
    expect(comment).toContain('Failing cases (2 of 10)');
    expect(comment).toContain('{"question":"question 10"}');
    expect(comment).toContain('Factuality 0.2, under');
  });

  it('errors and null scores are not evaluated: never zeros; judged within min_coverage', async () => {
    const list = rowsOf(10);
    list[3] = { ...list[3]!, error: 'RateLimitError: 429 from the model', score: undefined };
    list[6] = { ...list[6]!, score: null };
    const strict = await gate({ min_pass_rate: '0.9' }, rows(list));
    expect(strict.run.exitCode).toBe(1);
    expect(strict.run.outputs.reason).toContain('Braintrust could not evaluate');
    expect(strict.run.outputs.reason).toContain('2 of 10 rows errored or were not scored');
    expect(strict.run.outputs.row_coverage_pct).toBe('80');
    const lowered = await gate({ min_pass_rate: '0.9', min_coverage: '80' }, rows(list));
    expect(lowered.run.outputs).toMatchObject({
      decision: 'pass',
      pass_rate: '1',
      rows_evaluated: '8',
      rows_errored: '2',
      failures: '0',
    });
    expect(lowered.comment).toContain('RateLimitError: 429 from the model');
    expect(lowered.comment).toContain('not scored: Factuality is null');
  });

  it('a later page repeating rows at an older version: each row counted once, the newest kept', async () => {
    // 10 rows, 4 traces a page: 3 pages, pages 2 and 3 opening with 2 outdated rows scored 0.
    const { run } = await gate({ min_pass_rate: '1' }, { pageSize: 4, staleRepeats: 2 });
    expect(run.outputs).toMatchObject({ decision: 'pass', rows_evaluated: '10', pass_rate: '1' });
    expect(run.stdout).toContain(
      'Read 10 rows (root spans) in 3 pages; 8 repeated events were counted once',
    );
  });

  it('three pages: every page read, the cursor sent back in the body', async () => {
    const { run } = await gate({ max_failures: '0' }, { ...rows(rowsOf(9, 1)), pageSize: 3 });
    expect(run.outputs).toMatchObject({ decision: 'fail', failures: '1', rows_evaluated: '9' });
    const fetches = braintrust.requestsTo('POST', `/v1/experiment/`);
    expect(fetches).toHaveLength(3);
    expect(fetches.map((f) => (f.body as { cursor?: string }).cursor)).toEqual([
      undefined,
      'MQ',
      'Mg',
    ]);
  });

  it('a wrong token: the 401 names `token`', async () => {
    const { run } = await gate({ min_pass_rate: '0.9', token: 'bt_wrong' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('HTTP 401: Invalid API key');
    expect(run.outputs.reason).toContain('`token`');
    // Read once: a wrong key is not an error another attempt would mend.
    expect(braintrust.requestsTo('GET', '/v1/experiment')).toHaveLength(1);
  });

  it('an unknown experiment: says which exist', async () => {
    const { run } = await gate({ min_pass_rate: '0.9', experiment_name: 'pr-1348' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'no Braintrust experiment is named "pr-1348" in project "support-agent"; its newest are "pr-1347"',
    );
  });

  it('an unknown experiment id: the 403 Braintrust answers names `experiment_id`', async () => {
    const { run } = await gate({
      min_pass_rate: '0.9',
      experiment_name: '',
      project_name: '',
      experiment_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('Check `experiment_id`');
  });

  it('two experiments of the same name (two projects of one name): says which, asks for the id', async () => {
    const other = {
      id: '6c2e4a8b-0d1f-4b7c-9e1a-3f5b7d9f1b2c',
      name: PROJECT_NAME,
      orgId: 'fb1c4d7e-0a2b-4c3d-8e5f-6a7b8c9d0e1f',
    };
    const { run } = await gate(
      { min_pass_rate: '0.9' },
      {
        projects: [other],
        experiments: [
          experimentOf(rowsOf(3)),
          experimentOf(rowsOf(3), {
            id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
            projectId: other.id,
          }),
        ],
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('2 Braintrust experiments are named "pr-1347"');
    expect(run.outputs.reason).toContain('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    expect(run.outputs.reason).toContain('set `experiment_id`');
    expect(braintrust.requestsTo('POST', '/v1/experiment/')).toHaveLength(0);
  });

  it('by project_id: the experiment found in the project of that id', async () => {
    const { run } = await gate({ min_pass_rate: '0.9', project_name: '', project_id: PROJECT_ID });
    expect(run.outputs).toMatchObject({ decision: 'pass', project_id: PROJECT_ID });
    expect(braintrust.requestsTo('GET', `/v1/experiment?project_id=${PROJECT_ID}`)).toHaveLength(1);
  });

  it('a hostile row: its input and error shown inert', async () => {
    const hostile =
      '@octocat <img src=x onerror=alert(1)> <b>bold</b>\n::error::pwned\n::set-output name=decision::pass';
    const list = rowsOf(4, 1);
    list[3] = { ...list[3]!, input: hostile };
    list[0] = { ...list[0]!, error: hostile, score: undefined };
    const { run, body, check } = await gate(
      { min_pass_rate: '0.9', min_coverage: '50' },
      rows(list),
    );
    expect(run.exitCode).toBe(1);
    for (const markdown of [body, check?.output?.summary ?? ''])
      for (const engine of ENGINES) {
        const shown = render(markdown, engine);
        expect(mentions(shown)).toEqual([]);
        expect([...shown.elements].filter((e) => ['img', 'b', 'script'].includes(e))).toEqual([]);
        expect(shown.text).toContain('<img src=x onerror=alert(1)>');
      }
    const commands = run.stdout.split('\n').filter((line) => /^::(error|set-output)/.test(line));
    expect(commands.join('\n')).not.toContain('pwned');
    expect(run.stdout).not.toMatch(/^::set-output name=decision::pass/m);
  });
});

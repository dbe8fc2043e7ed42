import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { PROMPTFOO_FILES, promptfooJson, promptfooWorkspace } from '../support/promptfoo.js';
import { pullRequestPayload } from '../support/pull-request.js';
import { ENGINES, mentions, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

let github = new FakeGitHub();
let api: ServedHandlers;
beforeAll(async () => {
  api = await serveHandlers(() => github.handlers());
});
afterAll(async () => {
  await api.close();
});

/** The bundled action on a pull request, as the runner runs it, reading a results file promptfoo wrote. */
async function gate(
  file: keyof typeof PROMPTFOO_FILES | { text: string },
  inputs: Record<string, string> = {},
) {
  github = new FakeGitHub();
  const payload = pullRequestPayload();
  const run = await runAction({
    inputs: {
      backend: 'promptfoo',
      results_file: 'results.json',
      github_token: FAKE_GITHUB_TOKEN,
      ...inputs,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: api.origin },
    cwd: promptfooWorkspace({ 'results.json': file }),
  });
  expect(github.violations).toEqual([]);
  const body = github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
  // What a reviewer reads: the comment as GitHub renders it.
  return { run, body, comment: render(body).text, check: github.checkRuns[0] };
}

describe('the bundled action on a promptfoo results file', () => {
  it('pass: every row passed; no token, no base URL, no call but GitHub', async () => {
    const { run, check, comment } = await gate('pass');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      pass_rate: '1',
      failures: '0',
      rows_errored: '0',
      cases: '4',
      cost: '0.0083',
      suite: 'support agent',
    });
    expect(run.outputs.eval_id).toMatch(/^eval-/);
    expect(check).toMatchObject({ name: 'promptfoo Gate', conclusion: 'success' });
    expect(comment).toContain('4 of 4 rows of "support agent" passed, in 4 cases');
  });

  it('fail by assertion: the failing cases first, with the assertion, hostile text shown inert', async () => {
    const { run, check, body, comment } = await gate('regressed');
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', failures: '2', cases_failing: '2' });
    expect(run.outputs.reason).toContain('failures 2 > 0 (`max_failures`)');
    expect(check?.conclusion).toBe('failure');
    expect(comment).toContain('Failing cases (2 of 4)');
    for (const markdown of [body, check?.output?.summary ?? ''])
      for (const engine of ENGINES) {
        const shown = render(markdown, engine);
        expect(mentions(shown)).toEqual([]);
        expect([...shown.elements].filter((e) => ['img', 'b', 'script'].includes(e))).toEqual([]);
        expect(shown.text).toContain('refund within 30 days');
        expect(shown.text).toContain('<img src=x onerror=alert(1)>');
      }
    // Text from the file never becomes a workflow command in the log.
    const commands = run.stdout.split('\n').filter((line) => /^::(error|set-output)/.test(line));
    expect(commands.join('\n')).not.toContain('pwned');
    expect(run.stdout).not.toMatch(/^::set-output name=decision::pass/m);
  });

  it('min_pass_rate decides in place of promptfoo\'s "no failing row"', async () => {
    const { run } = await gate('regressed', { min_pass_rate: '0.5' });
    expect(run.outputs).toMatchObject({ decision: 'pass', pass_rate: '0.5' });
  });

  it('provider errors: could not evaluate by default, never counted as passes or failures', async () => {
    const { run, comment } = await gate('errors');
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('promptfoo could not evaluate');
    expect(run.outputs.reason).toContain('2 of 5 rows errored');
    expect(run.outputs.reason).toContain('upstream search index unavailable (503)');
    expect(run.outputs.row_coverage_pct).toBe('60');
    expect(comment).toContain('could not evaluate');
  });

  it('provider errors within a lowered min_coverage: judged on the rows evaluated, errors listed apart', async () => {
    const { run, comment } = await gate('errors', { min_coverage: '50', min_pass_rate: '0.6' });
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      // 2 passed of the 3 evaluated: the 2 errors are neither.
      pass_rate: '0.6667',
      failures: '1',
      rows_errored: '2',
      rows_evaluated: '3',
    });
    expect(comment).toContain('Not evaluated (2 without a verdict');
    expect(comment).toContain('connection reset by peer');
    // The row without a price is said, never priced at zero.
    expect(run.outputs.reason).toContain('3 of 5 rows carry no price');
  });

  it('--repeat rows grouped by case: "passed 2 of 3"', async () => {
    const { run, body } = await gate('repeats', { min_pass_rate: '0.7' });
    expect(run.outputs).toMatchObject({ decision: 'pass', cases: '5', cases_failing: '2' });
    const rows = render(body).rows.map((cells) => cells.slice(0, 2).join(' | '));
    expect(rows).toContain('proration | 2 of 3');
    expect(rows).toContain('tax rules | 0 of 3');
  });

  it('max_cost: a run over budget fails', async () => {
    const { run } = await gate('repeats', { min_pass_rate: '0.7', max_cost: '0.01' });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('cost 0.033 USD > 0.01 USD (`max_cost`)');
  });

  it('max_cost: the threshold is shown as given, not rounded, in the reason and the comment', async () => {
    const { run, comment } = await gate('repeats', { min_pass_rate: '0.7', max_cost: '0.03299' });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('cost 0.033 USD > 0.03299 USD (`max_cost`)');
    expect(comment).toContain('≤ 0.03299 USD');
  });

  it('a var named __proto__ is part of what a case is: two tests told apart by it are two cases', async () => {
    const file = promptfooJson('pass');
    const [first, second] = file.results.results as {
      testCase: { description?: string; vars: Record<string, unknown>; assert?: unknown };
      vars: Record<string, unknown>;
    }[];
    // The second test: the first's description, vars and assertions, and one var more, `__proto__`.
    const vars = { ...first!.vars };
    Object.defineProperty(vars, '__proto__', { value: 'admin', enumerable: true });
    second!.testCase = { ...second!.testCase, description: first!.testCase.description, vars };
    second!.testCase.assert = first!.testCase.assert;
    second!.vars = vars;
    const text = JSON.stringify(file);
    expect(text).toContain('"__proto__":"admin"');
    const { run } = await gate({ text });
    expect(run.outputs).toMatchObject({ decision: 'pass', cases: '4' });
  });

  it('a file whose stats disagree with its rows: could not evaluate, never a pass', async () => {
    const file = promptfooJson('pass');
    file.results.stats = { ...file.results.stats, successes: 5 };
    const { run, check } = await gate({ text: JSON.stringify(file) });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('`results.stats` disagrees with the rows');
    expect(check?.conclusion).toBe('failure');
  });

  it('inputs it does not read are input errors; a missing file names results_file', async () => {
    const { run, check } = await gate('pass', {
      token: 'sk-x',
      repeats: '3',
      results_file: 'nope.json',
    });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain('`token` is not read with `backend: promptfoo`');
    expect(error).toContain('`repeats` is not read with `backend: promptfoo`');
    expect(error).toContain('`results_file` "nope.json" does not exist');
    expect(check?.conclusion).toBe('failure');
  });

  it('a file where no row was evaluated is no evaluation, whatever min_coverage allows', async () => {
    const file = promptfooJson('errors');
    for (const row of file.results.results) {
      row.success = false;
      row.failureReason = 2;
      row.error = row.error ?? 'Error: provider unreachable';
    }
    file.results.stats = { ...file.results.stats, successes: 0, failures: 0, errors: 5 };
    const { run } = await gate({ text: JSON.stringify(file) }, { min_coverage: '0' });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.reason).toContain('a file with no row evaluated is no evaluation');
  });

  it("the suite's escape sequences and bidi overrides reach neither the log nor the reason output", async () => {
    const file = promptfooJson('regressed');
    (file.config as { description: string }).description =
      'S\u001b[2K\u001b[1A\u001b[32mGate passed.\u001b[8m hidden \u202eRTL';
    const { run } = await gate({ text: JSON.stringify(file) }, { min_pass_rate: '0.4' });
    expect(run.outputs.decision).toBe('pass');
    for (const said of [run.stdout, run.outputs.reason ?? ''])
      for (const character of ['\u001b', '\u202e']) expect(said).not.toContain(character);
  });
});

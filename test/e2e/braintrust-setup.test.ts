import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureKind } from '../../src/core/verdict/could-not-evaluate.js';
import type { Verdict } from '../../src/core/verdict/verdict.js';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeBraintrustOptions,
  type FakeRow,
  PROJECT_NAME,
  rowsOf,
} from '../support/fake-braintrust.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// A Braintrust gate set up wrong (a score, a project, an input Braintrust does not read) is a
// setup the gate refuses, never "could not evaluate": a pipeline may let an outage pass.
let braintrust = new FakeBraintrust();
let backend: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => braintrust.handlers());
});
afterAll(() => backend.close());

/** The bundled action as the runner runs it (every default filled in), on the fake Braintrust. */
async function gate(inputs: Record<string, string>, options: FakeBraintrustOptions = {}) {
  braintrust = new FakeBraintrust(options);
  const run = await runAction({
    inputs: {
      backend: 'braintrust',
      base_url: backend.origin,
      token: FAKE_BRAINTRUST_TOKEN,
      project_name: PROJECT_NAME,
      experiment_name: EXPERIMENT_NAME,
      ...inputs,
    },
  });
  expect(braintrust.violations).toEqual([]);
  return { run, check: run.github?.checkRuns[0] };
}

const rows = (list: FakeRow[]) => ({ experiments: [experimentOf(list)] });

/** What the report file says the verdict failed on: what an aggregate of shards reads of it. */
async function failureOf(run: { outputs: Record<string, string> }) {
  const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8')) as Verdict;
  return failureKind(report);
}

describe('the bundled action on a Braintrust gate set up wrong', () => {
  it('several scores without score_name: a setup error the gate refuses (not "could not evaluate"), the scores listed; with it, judged', async () => {
    const two = rowsOf(4).map((row) => ({
      ...row,
      score: undefined,
      scores: { Factuality: 1, Relevance: 0.5 },
    }));
    const { run } = await gate({ min_pass_rate: '0.9' }, rows(two));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('Input `score_name` is required');
    expect(run.outputs.reason).toContain('the rows carry 2 scores ("Factuality", "Relevance")');
    expect(run.outputs.reason).toMatch(/set `score_name` to the one that judges a row\.$/);
    expect(run.outputs.reason).not.toContain('could not evaluate');
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '0' });
    expect(await failureOf(run)).toBe('regression');
    const named = await gate(
      { min_pass_rate: '0.9', score_name: 'Relevance', pass_score: '0.5' },
      rows(two),
    );
    expect(named.run.outputs).toMatchObject({
      decision: 'pass',
      mean_score: '0.5',
      score_name: 'Relevance',
    });
  });

  it('a misspelt score_name: a setup error, the scores the rows carry listed; the report file says so too', async () => {
    const { run, check } = await gate({ min_pass_rate: '0.9', score_name: 'Factualty' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain(
      'Input `score_name` "Factualty" is no score the rows of experiment "pr-1347" carry; they carry "Factuality": set `score_name` to one of them.',
    );
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '0' });
    expect(check?.conclusion).toBe('failure');
    expect(await failureOf(run)).toBe('regression');
  });

  it('an experiment with no rows: "could not evaluate the experiment", an outage as the contract says', async () => {
    const { run } = await gate({ min_pass_rate: '0.9' }, rows([]));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toMatch(
      /^Braintrust could not evaluate the experiment: experiment "pr-1347" has no rows/,
    );
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1' });
    expect(await failureOf(run)).toBe('could not evaluate');
  });

  it('experiment_id of another project than project_name says: fails closed before reading rows', async () => {
    const { run } = await gate({
      min_pass_rate: '0.9',
      experiment_name: '',
      project_name: 'billing-agent',
      experiment_id: experimentOf([]).id,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toContain('is of project "support-agent"');
    expect(run.outputs.reason).toContain('not the one `project_name` names');
    expect(run.outputs.reason).toMatch(
      /set `project_name` to "support-agent", or `experiment_id` to an experiment of that project\.$/,
    );
    expect(braintrust.requestsTo('POST', '/v1/experiment/')).toHaveLength(0);
  });

  it("repeats: an input error, before any call (an experiment cannot be run again); Braintrust's trialCount named", async () => {
    const { run } = await gate({ min_pass_rate: '0.9', repeats: '3' });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(
      'Input `repeats` is not read with `backend: braintrust`, which reads an experiment `braintrust eval` already logged',
    );
    expect(run.annotations[0]?.message).toContain("Braintrust's `trialCount`");
    expect(braintrust.requests).toHaveLength(0);
  });

  it('retry_errors, poll_interval and max_runs given: input errors, before any call (nothing is polled or run again)', async () => {
    const { run } = await gate({
      min_pass_rate: '0.9',
      retry_errors: '2',
      poll_interval: '1',
      max_runs: '3',
    });
    expect(run.exitCode).toBe(1);
    const said = run.annotations.map((a) => a.message).join('\n');
    for (const input of ['retry_errors', 'poll_interval', 'max_runs'])
      expect(said).toContain(`\`${input}\` is not read with \`backend: braintrust\``);
    expect(braintrust.requests).toHaveLength(0);
  });

  it('no threshold: an input error, since Braintrust decides nothing of its own', async () => {
    const { run } = await gate({});
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(
      'without a threshold every experiment would pass',
    );
    expect(braintrust.requests).toHaveLength(0);
  });
});

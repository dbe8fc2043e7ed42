import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/support/errors.js';
import { planActionWith } from '../../support/gate.js';
import { scratchDir } from '../../support/scratch.js';

const valid = {
  token: 't0k',
  project_id: '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c',
  trace_id: 'tr-1',
  campaign_name: 'refund-reliability',
};
const plan = async (inputs: Record<string, string>) => {
  const planned = await planActionWith(inputs);
  const { evaluation } = planned.run;
  if (evaluation.kind !== 'gate') throw new Error('expected a gate');
  return { ...evaluation.gate, github: planned.github };
};
const problem = async (inputs: Record<string, string>) => {
  const error = await plan(inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
};

describe('inputs', () => {
  it('applies the documented defaults', async () => {
    const { inputs, backend, github } = await plan(valid);
    expect(backend.id).toBe('sepurux');
    expect(inputs).toMatchObject({
      mode: 'hard',
      timeoutMs: 600_000,
      pollIntervalMs: 5_000,
      baseUrl: 'https://app.sepurux.dev/api/backend',
    });
    expect(github).toMatchObject({
      comment: true,
      checkName: 'Sepurux Reliability Gate',
      mode: 'hard',
    });
  });

  it.each([
    [
      { min_pass_rate: '85' },
      'Input `min_pass_rate` is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%).',
    ],
    [
      { min_pass_rate: 'high' },
      'Input `min_pass_rate` is "high", not a number; write a number from 0 to 1.',
    ],
    [{ max_unsafe: '1.5' }, 'Input `max_unsafe` is "1.5"; write a whole number of at least 0.'],
    [
      { min_reliability_score: '101' },
      'Input `min_reliability_score` is "101"; write a number from 0 to 100.',
    ],
    [{ token: '' }, 'Input `token` is required'],
    [{ mode: 'strict' }, 'Input `mode` is "strict"; write one of `observe`, `soft`, `hard`.'],
    [{ comment: 'yes' }, 'Input `comment` is "yes"; write `true` or `false`.'],
    [{ timeout: '0' }, 'Input `timeout` is "0"; write a number from 1 to 21600.'],
    [
      { base_url: 'http://api.example.com' },
      'Input `base_url` is refused: plain http to api.example.com would send the token unencrypted; use https.',
    ],
    [{ base_url: 'not a url' }, 'Input `base_url` is "not a url", not a URL'],
    [{ head_sha: 'abc' }, 'Input `head_sha` must be a full 40-character commit SHA.'],
    [
      { campaign_id: 'refund-reliability', campaign_name: '' },
      'Input `campaign_id` must be a UUID (for a name, use `campaign_name`).',
    ],
    [{ trace_file: 'trace.json' }, '`trace_file` / `trace_id`: give one of them, not both'],
    [
      { campaign_id: '11111111-2222-4333-8444-555555555555' },
      'Input `campaign_name` / `campaign_id`: give exactly one',
    ],
    [{ campaign_name: '' }, 'Input `campaign_name` / `campaign_id`: give exactly one'],
    [
      { project_id: '' },
      'Input `project_id` is required to upload `trace_file` or look up `campaign_name`',
    ],
  ])('rejects %j', async (change, message) => {
    expect(await problem({ ...valid, ...change })).toContain(message);
  });

  it('lets head_sha and pull_request_number override the event', async () => {
    const { change: gateChange, github } = await plan({
      ...valid,
      head_sha: 'c'.repeat(40),
      pull_request_number: '5',
    });
    expect(gateChange).toMatchObject({ commitSha: 'c'.repeat(40), pullRequestNumber: 5 });
    expect(github).toMatchObject({ headSha: 'c'.repeat(40), pullRequestNumber: 5 });
  });

  it('lists every problem of every kind at once: four bad inputs are four lines of one run', async () => {
    const message = await problem({
      ...valid,
      mode: 'strict',
      min_pass_rate: '85',
      comment: 'yes',
      dataset_id: '1f3b6c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
    });
    expect(message.split('\n')).toEqual([
      'Inputs are invalid:',
      '- `comment` is "yes"; write `true` or `false`.',
      '- `mode` is "strict"; write one of `observe`, `soft`, `hard`.',
      '- `dataset_id` (TruLayer) is an input of another backend and would be ignored with `backend: sepurux`; remove it or set `backend` to match.',
      '- `min_pass_rate` is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%).',
    ]);
  });

  it('lists every problem at once', async () => {
    const message = await problem({ ...valid, min_pass_rate: '85', max_failures: '-1' });
    expect(message).toMatch(/^Inputs are invalid:\n- `min_pass_rate` .*\n- `max_failures` /);
  });

  it('accepts plain http to a loopback host only', async () => {
    for (const host of ['127.0.0.1:8080', 'localhost:3000', '[::1]:9000']) {
      const { inputs } = await plan({ ...valid, base_url: `http://${host}/api/` });
      expect(inputs.baseUrl).toBe(`http://${host}/api`);
    }
  });

  it('refuses a base_url with credentials, a query or a fragment, naming base_url', async () => {
    expect(await problem({ ...valid, base_url: 'https://user:pw@api.example.com/v' })).toBe(
      'Input `base_url` holds credentials (`user:password@`); the gate would send them in the clear to every hop: put the credential in `token` and write the bare API root.',
    );
    expect(await problem({ ...valid, base_url: 'https://api.example.com/api?tenant=1' })).toBe(
      'Input `base_url` has a query (`?tenant=1`); paths are appended to `base_url`, so write the bare API root, e.g. https://api.example.com/api.',
    );
    expect(await problem({ ...valid, base_url: 'https://api.example.com/#x' })).toMatch(
      /^Input `base_url` has a fragment \(`#x`\)/,
    );
  });

  it('refuses a token that cannot go into a header, without echoing it', async () => {
    for (const token of ['sx_abc\ndef', 'sx_abc\u0000def', 'sx_äbc']) {
      const message = await problem({ ...valid, token });
      expect(message).toBe(
        'Input `token` holds a line break, a control character or a non-ASCII character, which cannot be sent in an HTTP header; copy the secret again without them.',
      );
    }
    expect(await problem({ ...valid, github_token: 'ghs_x\ry' })).toMatch(
      /^Input `github_token` holds a line break/,
    );
  });

  it('explains the workflow_run pattern when a fork pull request has no secret', async () => {
    const payload = {
      pull_request: {
        number: 7,
        head: { sha: 'b'.repeat(40), repo: { full_name: 'someone/fork' } },
        base: { repo: { full_name: 'octo-org/agent' } },
      },
    };
    const error = await planActionWith({ ...valid, token: '' }, 'pull_request', payload).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toContain('this pull request comes from a fork');
    expect((error as Error).message).toContain('workflow_run');
  });
});

describe('trace_file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('traces');
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'empty.json'), '');
    await writeFile(join(dir, 'array.json'), '[{"step": 1}]');
    await writeFile(join(dir, 'scalar.json'), '"trace"');
    await writeFile(join(dir, 'null.json'), 'null');
    await writeFile(join(dir, 'broken.json'), '{"steps": [');
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
  });
  const withFile = (name: string) =>
    problem({ ...valid, trace_id: '', trace_file: join(dir, name) });

  it.each([
    [
      'missing.json',
      'does not exist; check that the step that records the trace ran and wrote it there.',
    ],
    ['folder', 'is a directory'],
    ['empty.json', 'is empty'],
    ['array.json', 'holds an array; the trace must be one JSON object'],
    ['scalar.json', 'holds a string'],
    ['null.json', 'holds null'],
    [
      'broken.json',
      'is not valid JSON (unexpected end of data, expected a value at line 1, column 12 (byte 11))',
    ],
    ['pipe.json', 'is not a regular file'],
  ])('rejects %s before any network call', async (name, message) => {
    expect(await withFile(name)).toContain(message);
  });
});

describe('inputs with backend: trulayer', () => {
  const trulayer = {
    backend: 'trulayer',
    token: 'tl_key',
    dataset_id: '1f3b6c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
    eval_version_id: '2a4c6e8f-1b3d-4f5a-9c7e-0d2f4b6a8c0e',
    score_floor: '0.8',
  };

  it('takes its own defaults', async () => {
    const { inputs, github } = await plan(trulayer);
    expect(inputs).toMatchObject({ baseUrl: 'https://api.trulayer.ai' });
    expect(github.checkName).toBe('TruLayer Eval Gate');
  });

  it.each([
    [{ dataset_id: '' }, 'Input `dataset_id` is required with `backend: trulayer`'],
    [
      { eval_run_id: '7a21c3e5-9b0d-4e2f-8a4c-6e8f0b2d4f6a' },
      'Input `eval_version_id` / `eval_run_id`: give exactly one',
    ],
    [{ eval_version_id: '' }, 'Input `eval_version_id` / `eval_run_id`: give exactly one'],
    [
      { delta_tolerance: '0.02', baseline_run_id: '7a21c3e5-9b0d-4e2f-8a4c-6e8f0b2d4f6a' },
      'Input `delta_tolerance` is "0.02"; write a number of at most 0 (a drop is negative: write "-0.02").',
    ],
    [
      { delta_tolerance: '-0.02' },
      '`delta_tolerance` compares against a baseline: set `baseline_run_id` too.',
    ],
    [{ score_floor: '' }, "give at least one: without a policy, TruLayer's gate passes every run."],
    [{ on_fail: 'fail' }, 'Input `on_fail` is "fail"; write one of `warn`, `block`.'],
    [{ dataset_id: 'my-dataset' }, 'Input `dataset_id` must be a UUID.'],
    [
      { campaign_name: 'refund', min_pass_rate: '0.9' },
      '`campaign_name` (Sepurux), `min_pass_rate` (Sepurux, promptfoo, Braintrust) are inputs of another backend and would be ignored with `backend: trulayer`',
    ],
  ])('rejects %j', async (change, message) => {
    expect(await problem({ ...trulayer, ...change })).toContain(message);
  });

  it('rejects TruLayer inputs given to Sepurux', async () => {
    expect(await problem({ ...valid, score_floor: '0.8' })).toBe(
      'Input `score_floor` (TruLayer, Braintrust) is an input of another backend and would be ignored with `backend: sepurux`; remove it or set `backend` to match.',
    );
  });

  it('refuses a median of no history, and reads history as a count of 0 to 30', async () => {
    expect(await problem({ ...valid, baseline_from: 'median', history: '0' })).toContain(
      '`baseline_from: median` takes the median of the `history`, which is off (`0`)',
    );
    expect(await problem({ ...valid, history: '31' })).toContain('`history`');
    expect((await plan({ ...valid })).inputs).toMatchObject({ history: 10, baseline_from: 'base' });
  });

  it('names the backends it knows', async () => {
    expect(await problem({ ...valid, backend: 'langsmith' })).toBe(
      'Input `backend` is "langsmith"; write one of `sepurux`, `trulayer`, `promptfoo`, `braintrust`.',
    );
  });
});

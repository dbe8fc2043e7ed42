import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_RUN_ID,
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
  type FakeTruLayerOptions,
  trulayerDescription,
} from '../../../support/fake-trulayer.js';
import { gateWith, memoryLog } from '../../../support/gate.js';
import { type ServedHandlers, serveHandlers } from '../../../support/serve.js';

let fake = new FakeTruLayer();
let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers(() => fake.handlers());
});
afterAll(() => server.close());

async function gate(
  inputs: Record<string, string>,
  options: FakeTruLayerOptions = {},
  log = memoryLog(),
) {
  fake = new FakeTruLayer(options);
  const verdict = await gateWith(
    {
      backend: 'trulayer',
      base_url: server.origin,
      token: FAKE_TRULAYER_TOKEN,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      score_floor: '0.8',
      ...inputs,
    },
    log,
  );
  expect(fake.violations).toEqual([]);
  return verdict;
}

describe('TruLayer gate', () => {
  it('schedules an eval run, follows it, and passes on the gate decision', async () => {
    const log = memoryLog();
    const verdict = await gate({}, { finishAfterMs: 1200 }, log);
    expect(verdict).toMatchObject({
      decision: 'pass',
      backend: 'TruLayer',
      figures: { mean_score: 0.86 },
    });
    expect(verdict.ids.run_id).toBe([...fake.runs.keys()][1]);
    expect(verdict.dashboardUrl).toBe(
      `https://app.trulayer.ai/datasets/${DATASET_ID}/runs/${verdict.ids.run_id}`,
    );
    expect(log.lines.some((l) => /eval run .*: running \(\d+\/40 items\)/.test(l))).toBe(true);
    expect(fake.requestsTo('POST', '/v1/ci/gate')[0]?.body).toEqual({
      dataset_id: DATASET_ID,
      run_id: verdict.ids.run_id,
      policy: { score_floor: 0.8, on_fail: 'block' },
    });
    expect(
      fake.requests.every((r) => r.headers.authorization === `Bearer ${FAKE_TRULAYER_TOKEN}`),
    ).toBe(true);
  });

  it('fails closed when a poll answers about another eval run than the one asked for', async () => {
    const verdict = await gate({}, { answerAboutBaseline: true });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toBe(
      `GET /v1/eval-runs/{id} was asked about eval run "${verdict.ids.run_id}" and answered about "${BASELINE_RUN_ID}"; the gate fails closed.`,
    );
    expect(fake.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
  });

  it.each([
    [
      'another dataset',
      { dataset_id: '9d9d9d9d-0000-4000-8000-000000000009', eval_version_id: EVAL_VERSION_ID },
      'dataset "9d9d9d9d-0000-4000-8000-000000000009"',
    ],
    [
      'another eval version',
      { dataset_id: DATASET_ID, eval_version_id: '7e7e7e7e-0000-4000-8000-000000000007' },
      'eval version "7e7e7e7e-0000-4000-8000-000000000007"',
    ],
  ])(
    'fails closed when the eval run it scheduled says it is of %s, however well it scored',
    async (_, foreignRuns, named) => {
      for (const repeats of ['1', '3']) {
        const verdict = await gate({ repeats }, { foreignRuns });
        expect(verdict.decision).toBe('fail');
        expect(verdict.reason).toContain(named);
        expect(verdict.reason).toContain('the gate fails closed');
        expect(fake.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
      }
    },
  );

  it('gates an existing eval run without scheduling one', async () => {
    const verdict = await gate({ eval_version_id: '', eval_run_id: BASELINE_RUN_ID });
    expect(verdict.ids.run_id).toBe(BASELINE_RUN_ID);
    expect(fake.requestsTo('POST', '/v1/datasets/')).toHaveLength(0);
  });

  it('blocks with the gate reason as the reason', async () => {
    const verdict = await gate({}, { meanScore: 0.74 });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toBe(
      'TruLayer: mean_score 0.74 below floor 0.80; mean score 0.74 < 0.8 (`score_floor`).',
    );
  });

  it('warns when the policy says warn', async () => {
    const verdict = await gate({ on_fail: 'warn' }, { meanScore: 0.74 });
    expect(verdict.decision).toBe('warn');
  });

  it('gates on the drop from a baseline', async () => {
    const inputs = { score_floor: '', baseline_run_id: BASELINE_RUN_ID, delta_tolerance: '-0.02' };
    const dropped = await gate(inputs, { meanScore: 0.74, baselineScore: 0.8 });
    expect(dropped.decision).toBe('fail');
    expect(dropped.figures.mean_delta).toBe(-0.06);
    expect(fake.requestsTo('POST', '/v1/ci/gate')[0]?.body).toMatchObject({
      baseline_run_id: BASELINE_RUN_ID,
      policy: { delta_tolerance: -0.02, on_fail: 'block' },
    });
    expect((await gate(inputs, { meanScore: 0.79, baselineScore: 0.8 })).decision).toBe('pass');
  });

  it.each([
    ['', 'warn'],
    ['pass', 'pass'],
    ['warn', 'warn'],
    ['fail', 'fail'],
  ] as const)(
    'with baseline_run_id: auto and no base run, on_missing_baseline %j decides delta_tolerance (%s) and the reason says nothing was compared',
    async (onMissing, decision) => {
      const verdict = await gate({
        delta_tolerance: '-0.02',
        baseline_run_id: 'auto',
        on_missing_baseline: onMissing,
      });
      expect(verdict.decision).toBe(decision);
      expect(verdict.reason).toContain(
        `nothing was compared for \`delta_tolerance\` (no eval run of the base branch to compare with (\`baseline_run_id: auto\`); on_missing_baseline: ${onMissing || 'warn'})`,
      );
      // The policy TruLayer was sent holds no delta: there is nothing to compare it with.
      expect(
        (fake.requestsTo('POST', '/v1/ci/gate').at(-1)?.body as { policy: object }).policy,
      ).not.toHaveProperty('delta_tolerance');
    },
  );

  it('fails a gate that says pass on figures that break the policy', async () => {
    const verdict = await gate({}, { meanScore: 0.5, forceDecision: 'pass' });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toContain(
      "TruLayer said pass, but the gate's own check fails: mean score 0.5 < 0.8",
    );
  });

  it('fails with the error message of an eval run that failed', async () => {
    const verdict = await gate({}, { failWith: 'evaluator quota exhausted' });
    expect(verdict).toMatchObject({
      decision: 'fail',
      reason:
        'TruLayer could not evaluate the run: the eval run failed: evaluator quota exhausted; tried 2 times (`retry_errors`: 1).',
    });
    expect(fake.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
  });

  it('surfaces TruLayer errors with status and code', async () => {
    const verdict = await gate({ dataset_id: '99999999-9999-4999-8999-999999999999' });
    expect(verdict.reason).toBe(
      'GET /v1/datasets/{id}/runs failed with HTTP 404: dataset not found (code not_found). Check `dataset_id`.',
    );
  });
});

describe('the published description, as the fake applies it', () => {
  it('rejects requests TruLayer would reject', () => {
    const description = trulayerDescription();
    const ok = { dataset_id: DATASET_ID, run_id: BASELINE_RUN_ID, policy: { on_fail: 'block' } };
    expect(description.validate('POST', '/v1/ci/gate', new URLSearchParams(), ok)).toEqual([]);
    expect(
      description.validate('POST', '/v1/ci/gate', new URLSearchParams(), {
        ...ok,
        policy: { on_fail: 'maybe' },
      }),
    ).not.toEqual([]);
    expect(
      description.validate('POST', '/v1/ci/gate', new URLSearchParams(), {
        ...ok,
        run_id: 'run-1',
      }),
    ).not.toEqual([]);
    expect(
      description.validate('POST', '/v1/ci/gate', new URLSearchParams(), {
        dataset_id: DATASET_ID,
        policy: { on_fail: 'warn' },
      }),
    ).not.toEqual([]);
    expect(
      description.validate('POST', '/v1/eval', new URLSearchParams(), {
        dataset_id: DATASET_ID,
        evaluator_id: 'x',
      }),
    ).not.toEqual([]);
    expect(description.validate('DELETE', '/v1/ci/gate', new URLSearchParams(), undefined)).toEqual(
      ['DELETE /v1/ci/gate: no such operation in the description'],
    );
  });
});

describe('TruLayer repeats', () => {
  it('schedules an eval run per repeat, one at a time, and pools their scores', async () => {
    const verdict = await gate({ repeats: '3' });
    const scheduled = fake.requestsTo('POST', `/v1/datasets/${DATASET_ID}/runs`);
    expect(scheduled).toHaveLength(3);
    expect(new Set(verdict.repeats?.rows.map((r) => r.runId)).size).toBe(3);
    expect(verdict).toMatchObject({
      decision: 'pass',
      figures: { mean_score: 0.86 },
      repeats: { run: 3, passed: 3 },
    });
    expect(fake.requestsTo('POST', '/v1/ci/gate')).toHaveLength(3);
  });
});

describe('TruLayer coverage and errors', () => {
  it('evaluates a run that scored items within min_coverage, showing them as coverage', async () => {
    const verdict = await gate({ min_coverage: '80' }, { items: 100, scoredItems: 90 });
    expect(verdict).toMatchObject({ decision: 'pass', outcome: 'evaluated' });
    expect(verdict.figures.item_coverage_pct).toBe(90);
    expect(verdict.attempts?.errors).toEqual([]);
  });

  it('could not evaluate a run below min_coverage (default 100), and starts it again as a new eval run', async () => {
    const verdict = await gate({}, { items: 100, scoredItems: 90, misbehavingRuns: [1] });
    expect(verdict).toMatchObject({ decision: 'pass', outcome: 'evaluated' });
    expect(verdict.figures.item_coverage_pct).toBe(100);
    expect(fake.requestsTo('POST', `/v1/datasets/${DATASET_ID}/runs`)).toHaveLength(2);
    expect(verdict.attempts?.errors[0]).toMatchObject({ kind: 'unevaluated', retried: true });
    expect(verdict.attempts?.errors[0]?.message).toBe(
      "the eval run scored 90 of its 100 items (90%), below `min_coverage` (100%), so its mean is not the dataset's",
    );
  });

  it('never starts an existing eval run (eval_run_id) again: it would read the same run', async () => {
    fake = new FakeTruLayer({ failWith: 'judge timed out' });
    const scheduled = await fetch(`${server.origin}/v1/datasets/${DATASET_ID}/runs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FAKE_TRULAYER_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ eval_version_id: EVAL_VERSION_ID }),
    });
    const { id } = (await scheduled.json()) as { id: string };
    const log = memoryLog();
    const verdict = await gateWith(
      {
        backend: 'trulayer',
        base_url: server.origin,
        token: FAKE_TRULAYER_TOKEN,
        dataset_id: DATASET_ID,
        eval_run_id: id,
        score_floor: '0.8',
      },
      log,
    );
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toBe(
      'TruLayer could not evaluate the run: the eval run failed: judge timed out.',
    );
    expect(verdict.attempts).toMatchObject({ started: 1, retried: 0 });
    expect(log.lines.some((l) => l.includes('evaluates one run that exists'))).toBe(true);
  });
});

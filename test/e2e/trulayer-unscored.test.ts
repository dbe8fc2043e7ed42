import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_RUN_ID,
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
  type FakeTruLayerOptions,
} from '../support/fake-trulayer.js';
import { traceId } from '../support/fake-trulayer-items.js';
import { runAction, runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Contract section 10: export items whose score is null were not evaluated. The bundled action
// and the command line against a TruLayer that completes 40 of 40 items and scores 30.
let trulayer = new FakeTruLayer();
let backend: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => trulayer.handlers());
});
afterAll(() => backend.close());

/** The last 10 of 40 completed items with a null score. */
const TEN_NULL: FakeTruLayerOptions = { items: 40, nullScores: 10 };

async function gate(inputs: Record<string, string>, options: FakeTruLayerOptions = TEN_NULL) {
  trulayer = new FakeTruLayer(options);
  return runAction({
    inputs: {
      backend: 'trulayer',
      base_url: backend.origin,
      token: FAKE_TRULAYER_TOKEN,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      score_floor: '0.8',
      comment: 'false',
      ...inputs,
    },
  });
}

const exportsRead = () =>
  trulayer.requestsTo('GET', '/v1/eval-runs/').filter((r) => r.path.endsWith('/export'));

describe('items with a null score in the export are not evaluated', () => {
  it('40 completed of 40, 10 with a null score: could not evaluate at the default min_coverage (100)', async () => {
    const run = await gate({});
    expect(trulayer.violations).toEqual([]);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      decision: 'fail',
      item_coverage_pct: '75',
      errors: '1',
      retried: '1',
    });
    expect(run.outputs.reason).toBe(
      "TruLayer could not evaluate the run: the eval run scored 30 of its 40 items (75%; its export has no score for the other 10), below `min_coverage` (100%), so its mean is not the dataset's; tried 2 times (`retry_errors`: 1).",
    );
    // Each run's export is read, and a run that could not evaluate is never put to the CI gate.
    expect(exportsRead()).toHaveLength(2);
    expect(trulayer.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
  });

  it('with min_coverage: 75 it is evaluated, on the 30 scored items, and the 10 show as coverage, not errors', async () => {
    const run = await gate({ min_coverage: '75' });
    expect(trulayer.violations).toEqual([]);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      mean_score: '0.86',
      item_coverage_pct: '75',
      errors: '0',
      retried: '0',
    });
    expect(run.stdout).toContain(
      "The export scores 30 of the eval run's 40 items; 10 have no score, and are left out of every mean.",
    );
  });

  it("an unscored item is no zero in the gate's own mean: the error bars leave it out, whatever the diff gives it", async () => {
    // A diff that scores the 10 unscored items 0: counted, the mean score's interval would sit
    // near 0.65, wholly below the floor of 0.8.
    const run = await gate(
      { min_coverage: '75', baseline_run_id: BASELINE_RUN_ID, confidence: '0.95' },
      { ...TEN_NULL, diffZeroesUnscored: true },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', item_coverage_pct: '75' });
    const report = JSON.parse(await readFile(run.outputs.report_file!, 'utf8'));
    const meanScore = report.errorBars.intervals.find(
      (i: { figure: string }) => i.figure === 'mean_score',
    );
    expect(meanScore.interval.n).toBe(30);
    expect(meanScore.interval.low).toBeGreaterThan(0.8);
  });

  it('reads an export larger than the 4 MiB other answers are bounded by (it grows with the dataset)', async () => {
    const run = await gate(
      { min_coverage: '75' },
      {
        ...TEN_NULL,
        rewriteExport: (e) => ({
          ...e,
          items: e.items.map((i) => ({ ...i, reasoning: 'the judge said '.repeat(10_000) })),
        }),
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', item_coverage_pct: '75' });
  });

  it('with repeats, each repeat reads its own export: only the repeat with null scores is an error, and is run again', async () => {
    const run = await gate({ repeats: '2' }, { ...TEN_NULL, misbehavingRuns: [2] });
    expect(trulayer.violations).toEqual([]);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', errors: '0', retried: '1' });
    expect(exportsRead()).toHaveLength(3);
  });
});

describe('an export the gate cannot trust fails closed', () => {
  type Exported = { run: Record<string, unknown>; items: Record<string, unknown>[] };
  // An answer the gate refuses to trust: its own message, never retried (asking twice does not
  // make a backend honest).
  it.each<[string, (e: Exported) => unknown, string]>([
    [
      'scores as strings',
      (e) => ({ ...e, items: e.items.map((i) => ({ ...i, score: String(i.score) })) }),
      'GET /v1/eval-runs/{id}/export answered HTTP 200 with a body the gate does not recognise (items.0.score: Invalid input: expected number, received string;',
    ],
    [
      'no items',
      (e) => ({ run: e.run }),
      'GET /v1/eval-runs/{id}/export answered HTTP 200 with a body the gate does not recognise (items: Invalid input: expected array, received undefined)',
    ],
    [
      'rows without a trace',
      (e) => ({ ...e, items: e.items.map((i) => ({ ...i, trace_id: undefined })) }),
      'GET /v1/eval-runs/{id}/export answered HTTP 200 with a body the gate does not recognise (items.0.trace_id:',
    ],
    [
      'the run of another eval run',
      (e) => ({ ...e, run: { ...e.run, id: BASELINE_RUN_ID } }),
      `and answered about "${BASELINE_RUN_ID}"; the gate fails closed.`,
    ],
  ])('an export with %s: refused, never a pass', async (_what, rewriteExport, said) => {
    const run = await gate({}, { items: 40, rewriteExport });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '0' });
    expect(run.outputs.reason).toContain(said);
    expect(trulayer.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
  });

  // Counts that disagree: the run could not evaluate, as a run scoring more than it has.
  it.each<[string, FakeTruLayerOptions, string]>([
    [
      'lists more items than the run has',
      {
        rewriteExport: (e) => ({
          ...e,
          items: [...e.items, { ...e.items[0], trace_id: crypto.randomUUID() }],
        }),
      },
      "the eval run's export lists 41 items, more than the 40 it has, so its counts cannot be trusted",
    ],
    [
      'scores more items than the run says it completed',
      {
        scoredItems: 35,
        rewriteExport: (e) => ({
          ...e,
          items: [
            ...e.items,
            ...[35, 36, 37, 38, 39].map((i) => ({ ...e.items[0], trace_id: traceId(i) })),
          ],
        }),
      },
      "the eval run's export scores 40 items, more than the 35 it says it completed, so its counts cannot be trusted",
    ],
    [
      'has no rows at all',
      { rewriteExport: (e) => ({ ...e, items: [] }) },
      'the eval run scored none of its 40 items (its export has no score for any)',
    ],
  ])('an export that %s: could not evaluate', async (_what, options, said) => {
    const run = await gate({ min_coverage: '80' }, { items: 40, ...options });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1' });
    expect(run.outputs.reason).toMatch(/^TruLayer could not evaluate the run: /);
    expect(run.outputs.reason).toContain(said);
    expect(trulayer.requestsTo('POST', '/v1/ci/gate')).toHaveLength(0);
  });

  it('a TruLayer without the export (404): could not evaluate, saying why, never a pass', async () => {
    const run = await gate({ min_coverage: '50' }, { items: 40, noExport: true });
    expect(trulayer.violations).toEqual([]);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', errors: '1', retried: '0' });
    expect(run.outputs.reason).toBe(
      'GET /v1/eval-runs/{id}/export failed with HTTP 404: fake TruLayer has no route for the export. Without the export the gate cannot tell which items the eval run scored, so it could not evaluate: check `base_url` (a TruLayer server that predates this call cannot be gated).',
    );
  });
});

describe('the command line', () => {
  const cli = (flags: string[], options: FakeTruLayerOptions = TEN_NULL) => {
    trulayer = new FakeTruLayer(options);
    const dir = scratchDir('cli-unscored');
    const report = join(dir, 'verdict.json');
    const flagsWithTarget = [
      '--backend',
      'trulayer',
      '--dataset-id',
      DATASET_ID,
      '--eval-version-id',
      EVAL_VERSION_ID,
      '--score-floor',
      '0.8',
      '--report',
      report,
      ...flags,
    ];
    return runCli(flagsWithTarget, {
      GATE_TOKEN: FAKE_TRULAYER_TOKEN,
      GATE_BASE_URL: backend.origin,
    }).then(async (run) => ({
      ...run,
      last: run.stdout.trim().split('\n').at(-1) ?? '',
      report: JSON.parse(await readFile(report, 'utf8')),
    }));
  };

  it('could not evaluate at --min-coverage 100, in its own words', async () => {
    const run = await cli([]);
    // Exit 3: could not evaluate, apart from a regression.
    expect(run.exitCode).toBe(3);
    expect(run.last).toMatch(
      /^fail: TruLayer could not evaluate the run: the eval run scored 30 of its 40 items \(75%; its export has no score for the other 10\), below --min-coverage \(100%\)/,
    );
    expect(run.report.figures.item_coverage_pct).toBe(75);
  });

  it('evaluated at --min-coverage 75, with 75% coverage in the report', async () => {
    const run = await cli(['--min-coverage', '75']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.last).toMatch(/^pass: /);
    expect(run.report.figures.item_coverage_pct).toBe(75);
  });

  it('fails closed on an export the schema does not allow', async () => {
    const run = await cli(['--min-coverage', '75'], {
      items: 40,
      rewriteExport: (e) => ({ ...e, items: 'all scored' }),
    });
    expect(run.exitCode).toBe(1);
    expect(run.last).toMatch(
      /^fail: GET \/v1\/eval-runs\/\{id\}\/export answered HTTP 200 with a body the gate does not recognise/,
    );
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { parse } from 'yaml';
import { OpenApiValidator } from './openapi.js';
import { diffOf, exportOf } from './fake-trulayer-items.js';
import type { FakeTruLayerOptions } from './fake-trulayer-options.js';

let validator: OpenApiValidator | undefined;
/** TruLayer's published OpenAPI description (a copy of ../shared/reference/trulayer-openapi.yaml). */
export function trulayerDescription(): OpenApiValidator {
  validator ??= new OpenApiValidator(
    parse(readFileSync(new URL('../fixtures/trulayer-openapi.yaml', import.meta.url), 'utf8')),
  );
  return validator;
}

export const FAKE_TRULAYER_TOKEN = 'tl_test_key_8c41d2e7';
export const DATASET_ID = '1f3b6c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
export const EVAL_VERSION_ID = '2a4c6e8f-1b3d-4f5a-9c7e-0d2f4b6a8c0e';
export const BASELINE_RUN_ID = '7a21c3e5-9b0d-4e2f-8a4c-6e8f0b2d4f6a';

export type { FakeTruLayerOptions } from './fake-trulayer-options.js';

interface FakeEvalRun {
  id: string;
  /** Which scheduled run it is, 1-based; 0 for the baseline. */
  ordinal: number;
  dataset_id: string;
  eval_version_id: string;
  createdAt: number;
  meanScore: number;
}

/**
 * A stateful TruLayer API (docs/trulayer.md) as msw handlers. Every request is validated
 * against TruLayer's published OpenAPI description and every answer against its response
 * schema; `violations` lists what did not pass.
 */
export class FakeTruLayer {
  readonly runs = new Map<string, FakeEvalRun>();
  readonly requests: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: unknown;
  }[] = [];
  readonly violations: string[] = [];

  constructor(private readonly options: FakeTruLayerOptions = {}) {
    this.runs.set(BASELINE_RUN_ID, {
      id: BASELINE_RUN_ID,
      ordinal: 0,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      createdAt: 0,
      meanScore: options.baselineScore ?? 0.8,
    });
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(method: string, prefix: string) {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
  }

  handlers(): RequestHandler[] {
    return [
      http.all('*/v1/*', async ({ request }) => {
        const url = new URL(request.url);
        const path = url.pathname.replace(/^.*?(\/v1\/)/, '/v1/');
        const text = request.method === 'GET' ? '' : await request.text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          this.violations.push(`${request.method} ${path}: body is not JSON`);
        }
        const headers: Record<string, string> = {};
        request.headers.forEach((value, key) => (headers[key] = value));
        this.requests.push({ method: request.method, path: path + url.search, headers, body });
        this.violations.push(
          ...trulayerDescription().validate(request.method, path, url.searchParams, body),
        );
        if (headers.authorization !== `Bearer ${FAKE_TRULAYER_TOKEN}`)
          return this.answer(
            'ErrorResponse',
            { error: 'invalid API key', code: 'unauthorized' },
            401,
          );
        return this.route(
          request.method,
          path,
          body as Record<string, unknown> | undefined,
          url.searchParams,
        );
      }),
    ];
  }

  private route(
    method: string,
    path: string,
    body: Record<string, unknown> | undefined,
    query?: URLSearchParams,
  ): Response {
    let m: RegExpExecArray | null;
    if ((m = /^\/v1\/datasets\/([^/]+)\/runs$/.exec(path))) {
      if (m[1] !== DATASET_ID)
        return this.answer('ErrorResponse', { error: 'dataset not found', code: 'not_found' }, 404);
      if (method === 'GET')
        return this.answer('EvalRunListResponse', {
          runs: [...this.runs.values()].map((r) => this.view(r)),
        });
      const run = {
        id: randomUUID(),
        ordinal: [...this.runs.values()].filter((r) => r.ordinal > 0).length + 1,
        dataset_id: this.options.foreignRuns?.dataset_id ?? DATASET_ID,
        eval_version_id: this.options.foreignRuns?.eval_version_id ?? String(body?.eval_version_id),
        createdAt: Date.now(),
        meanScore: this.options.foreignRuns ? 0.99 : (this.options.meanScore ?? 0.86),
      };
      this.runs.set(run.id, run);
      return this.answer('EvalRun', this.view(run), 202);
    }
    if (method === 'GET' && (m = /^\/v1\/eval-runs\/([^/]+)$/.exec(path))) {
      const run = this.runs.get(this.options.answerAboutBaseline ? BASELINE_RUN_ID : m[1]!);
      return run
        ? this.answer('EvalRun', this.view(run))
        : this.answer('ErrorResponse', { error: 'eval run not found', code: 'not_found' }, 404);
    }
    if (method === 'GET' && (m = /^\/v1\/eval-runs\/([^/]+)\/(export|diff)$/.exec(path))) {
      const run = this.runs.get(m[1]!);
      const baseline = m[2] === 'diff' ? this.runs.get(query?.get('baseline') ?? '') : run;
      if (!run || !baseline)
        return this.answer(
          'ErrorResponse',
          { error: 'eval run not found', code: 'not_found' },
          404,
        );
      if (m[2] === 'export') return this.exported(run);
      const diff = diffOf(
        run,
        baseline,
        this.scoring(),
        this.unscored(run),
        this.options.diffZeroesUnscored,
      );
      return this.answer('EvalRunDiff', diff);
    }
    if (method === 'POST' && path === '/v1/ci/gate')
      return this.gate(
        body as {
          run_id: string;
          baseline_run_id?: string;
          policy: { score_floor?: number; delta_tolerance?: number; on_fail: string };
        },
      );
    return this.answer(
      'ErrorResponse',
      { error: `fake TruLayer has no route for ${method} ${path}` },
      404,
    );
  }

  /** TruLayer's documented gate: fires when mean_score < floor or the drop from the baseline passes the tolerance. */
  private gate(body: {
    run_id: string;
    baseline_run_id?: string;
    policy: { score_floor?: number; delta_tolerance?: number; on_fail: string };
  }): Response {
    const run = this.runs.get(body.run_id);
    if (!run)
      return this.answer('ErrorResponse', { error: 'eval run not found', code: 'not_found' }, 404);
    const baseline = body.baseline_run_id ? this.runs.get(body.baseline_run_id) : undefined;
    if (body.baseline_run_id && !baseline)
      return this.answer(
        'ErrorResponse',
        { error: 'baseline run not found', code: 'not_found' },
        404,
      );
    const mean = run.meanScore;
    const delta = baseline ? Number((mean - baseline.meanScore).toFixed(4)) : null;
    const { score_floor: floor, delta_tolerance: tolerance, on_fail: onFail } = body.policy;
    const reasons: string[] = [];
    if (floor != null && mean < floor)
      reasons.push(`mean_score ${mean.toFixed(2)} below floor ${floor.toFixed(2)}`);
    if (tolerance != null && delta !== null && delta < tolerance)
      reasons.push(`mean_delta ${delta.toFixed(2)} below tolerance ${tolerance.toFixed(2)}`);
    const decision = this.options.forceDecision ?? (reasons.length > 0 ? onFail : 'pass');
    return this.answer('CIGateResponse', {
      decision,
      mean_score: mean,
      mean_delta: delta,
      run_url: `https://app.trulayer.ai/datasets/${DATASET_ID}/runs/${run.id}`,
      reason:
        this.options.forceReason ??
        (reasons.join('; ') || `mean_score ${mean.toFixed(2)} within policy`),
    });
  }

  private view(run: FakeEvalRun) {
    const items = this.options.items ?? 40;
    const elapsed = Date.now() - run.createdAt;
    const finishAfter = run.id === BASELINE_RUN_ID ? 0 : (this.options.finishAfterMs ?? 0);
    const done = elapsed >= finishAfter;
    const misbehaves = this.misbehaves(run);
    const failed = done && this.options.failWith !== undefined && misbehaves;
    return {
      id: run.id,
      tenant_id: '00000000-0000-4000-8000-000000000001',
      dataset_id: run.dataset_id,
      eval_version_id: run.eval_version_id,
      status: failed ? 'failed' : done ? 'completed' : elapsed > 0 ? 'running' : 'pending',
      item_count: items,
      completed_count: done
        ? misbehaves
          ? (this.options.scoredItems ?? items)
          : items
        : Math.floor((elapsed / finishAfter) * items),
      started_at: new Date(run.createdAt).toISOString(),
      completed_at: done ? new Date(run.createdAt + finishAfter).toISOString() : null,
      error_message: failed ? this.options.failWith : null,
      created_at: new Date(run.createdAt || Date.now()).toISOString(),
    };
  }

  /** Whether a run is one the options make misbehave: never the baseline. */
  private misbehaves(run: FakeEvalRun): boolean {
    return (
      run.id !== BASELINE_RUN_ID && (this.options.misbehavingRuns?.includes(run.ordinal) ?? true)
    );
  }

  private scoring() {
    return { ...this.options, items: this.options.items ?? 40 };
  }

  /** Which items (0-based) a run leaves without a score: those past `completed_count`, and the last `nullScores` it completed. */
  private unscored(run: FakeEvalRun) {
    const last =
      this.view(run).completed_count - (this.misbehaves(run) ? (this.options.nullScores ?? 0) : 0);
    return (i: number) => i >= last;
  }

  /** The export of a run; an older TruLayer has none, a lying one rewrites it. */
  private exported(run: FakeEvalRun): Response {
    if (this.options.noExport)
      return this.answer(
        'ErrorResponse',
        { error: 'fake TruLayer has no route for the export' },
        404,
      );
    const exported = exportOf(run, this.view(run), this.scoring(), this.unscored(run));
    if (!this.options.rewriteExport) return this.answer('EvalRunExportResponse', exported);
    const body = JSON.stringify(this.options.rewriteExport(exported));
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/json' } });
  }

  /** Answers with a body checked against the description's schema, so the fake cannot drift from it. */
  private answer(schema: string, body: Record<string, unknown>, status = 200): Response {
    this.violations.push(
      ...trulayerDescription().check(
        `response ${schema}`,
        trulayerDescription().schema(`#/components/schemas/${schema}`),
        body,
      ),
    );
    return HttpResponse.json(body, { status });
  }
}

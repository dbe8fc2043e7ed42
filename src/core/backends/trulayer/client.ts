import { BackendCallError } from '../../support/errors.js';
import type { JsonTransport } from '../../transport/http.js';
import type { BackendContext } from '../types.js';
import {
  type EvalRun,
  EvalRun as EvalRunSchema,
  type EvalRunDiff,
  EvalRunDiff as EvalRunDiffSchema,
  type EvalRunExport,
  EvalRunExport as EvalRunExportSchema,
  EvalRunList,
  GateDecision,
  trulayerErrorMessage,
} from './schemas.js';

/**
 * The largest export read. It grows with the dataset (a row per item and metric, with the
 * judge's reasoning): 32 MiB holds about 100,000 rows; a larger one fails closed, never cut.
 */
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;

/** The body of `POST /v1/ci/gate` (CIGateRequest). */
export interface GateRequest {
  dataset_id: string;
  run_id: string;
  baseline_run_id?: string;
  policy: { score_floor?: number; delta_tolerance?: number; on_fail: 'warn' | 'block' };
}

/** The TruLayer API calls the gate makes (docs/trulayer.md). */
export class TruLayerClient {
  private readonly api: JsonTransport;

  constructor(
    private readonly context: BackendContext,
    token: string,
  ) {
    this.api = context.transport({
      credentials: { Authorization: `Bearer ${token}` },
      errorMessage: trulayerErrorMessage,
    });
  }

  /**
   * Schedules an eval run. TruLayer takes no idempotency key, so a request whose answer was
   * lost is not resent: the dataset's runs are listed before and after, and the one run it
   * started is adopted. Exactly one run either way.
   */
  async scheduleRun(datasetId: string, evalVersionId: string): Promise<EvalRun> {
    const before = new Set((await this.listRuns(datasetId)).map((run) => run.id));
    try {
      return await this.api.request({
        method: 'POST',
        path: `/v1/datasets/${encodeURIComponent(datasetId)}/runs`,
        name: 'POST /v1/datasets/{id}/runs',
        body: { eval_version_id: evalVersionId },
        schema: EvalRunSchema,
        idempotent: false,
        hints: { 404: 'Check `dataset_id` and `eval_version_id`.' },
      });
    } catch (error) {
      if (!(error instanceof BackendCallError) || !error.mayHaveBeenProcessed) throw error;
      const started = (await this.listRuns(datasetId)).filter(
        (run) => !before.has(run.id) && run.eval_version_id === evalVersionId,
      );
      const [only] = started;
      if (started.length !== 1 || !only) throw error;
      this.context.log.info(
        `The answer to scheduling was lost; adopting eval run ${only.id}, which that request started.`,
      );
      return only;
    }
  }

  /** One poll of an eval run. */
  getRun(runId: string): Promise<EvalRun> {
    return this.api.request({
      method: 'GET',
      path: `/v1/eval-runs/${encodeURIComponent(runId)}`,
      name: 'GET /v1/eval-runs/{id}',
      schema: EvalRunSchema,
      idempotent: true,
      hints: { 404: 'Check `eval_run_id`.' },
    });
  }

  /** Asks the CI gate for its decision on a completed run. */
  gate(body: GateRequest) {
    return this.api.request({
      method: 'POST',
      path: '/v1/ci/gate',
      body,
      schema: GateDecision,
      // The gate only reads: asking twice is safe.
      idempotent: true,
      hints: { 404: 'Check `dataset_id`, the eval run and `baseline_run_id`.' },
    });
  }

  /** Per-item scores of `runId` against `baselineId`. */
  diff(runId: string, baselineId: string): Promise<EvalRunDiff> {
    return this.api.request({
      method: 'GET',
      path: `/v1/eval-runs/${encodeURIComponent(runId)}/diff?baseline=${encodeURIComponent(baselineId)}`,
      name: 'GET /v1/eval-runs/{id}/diff',
      schema: EvalRunDiffSchema,
      idempotent: true,
    });
  }

  /** Every evaluation row of a run: which items it scored, and which it left with a null score. */
  exportRun(runId: string): Promise<EvalRunExport> {
    return this.api.request({
      method: 'GET',
      path: `/v1/eval-runs/${encodeURIComponent(runId)}/export`,
      name: 'GET /v1/eval-runs/{id}/export',
      schema: EvalRunExportSchema,
      idempotent: true,
      maxBodyBytes: MAX_EXPORT_BYTES,
      hints: {
        404: 'Without the export the gate cannot tell which items the eval run scored, so it could not evaluate: check `base_url` (a TruLayer server that predates this call cannot be gated).',
      },
    });
  }

  private async listRuns(datasetId: string): Promise<EvalRun[]> {
    const answer = await this.api.request({
      method: 'GET',
      path: `/v1/datasets/${encodeURIComponent(datasetId)}/runs?limit=100`,
      name: 'GET /v1/datasets/{id}/runs',
      schema: EvalRunList,
      idempotent: true,
      hints: { 404: 'Check `dataset_id`.' },
    });
    return answer.runs;
  }
}

import { z } from 'zod';

// Answers of the TruLayer API, after reference/trulayer-openapi.yaml (EvalRun, CIGateResponse,
// EvalRunDiff, EvalRunExportResponse, ErrorResponse). Enums are closed: a status or decision the description does not know is
// schema drift, and the gate fails closed.

/** `EvalRun` (scheduleEvalRun, getEvalRun). */
export const EvalRun = z.object({
  id: z.string().min(1),
  dataset_id: z.string(),
  eval_version_id: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  item_count: z.number().int().nonnegative(),
  completed_count: z.number().int().nonnegative(),
  error_message: z.string().nullish(),
  created_at: z.string(),
});
export type EvalRun = z.output<typeof EvalRun>;

/** `EvalRunListResponse` (listEvalRuns). */
export const EvalRunList = z.object({ runs: z.array(EvalRun) });

/** `CIGateResponse` (ciGate). */
export const GateDecision = z.object({
  decision: z.enum(['pass', 'warn', 'block']),
  mean_score: z.number(),
  mean_delta: z.number().nullish(),
  run_url: z.string(),
  reason: z.string(),
});
export type GateDecision = z.output<typeof GateDecision>;

/** `EvalRunDiff` (getEvalRunDiff): per-item scores of a run against a baseline. */
export const EvalRunDiff = z.object({
  run_id: z.string(),
  baseline_id: z.string(),
  summary: z.object({
    mean_delta: z.number(),
    improved_count: z.number().int(),
    regressed_count: z.number().int(),
    unchanged_count: z.number().int(),
  }),
  items: z.array(
    z.object({
      trace_id: z.string(),
      label: z.string().optional(),
      baseline_score: z.number().nullish(),
      run_score: z.number().nullish(),
      delta: z.number(),
      baseline_rationale: z.string().optional(),
      run_rationale: z.string().optional(),
    }),
  ),
});
export type EvalRunDiff = z.output<typeof EvalRunDiff>;

/**
 * `EvalRunExportResponse` (exportEvalRun): the run and its evaluation rows, one per trace and
 * metric. `score` is nullable and optional: a row without one scored nothing.
 */
export const EvalRunExport = z.object({
  run: EvalRun,
  items: z.array(
    z.object({
      id: z.string(),
      trace_id: z.string().min(1),
      metric_name: z.string(),
      evaluator_type: z.string(),
      status: z.string(),
      score: z.number().nullish(),
      label: z.string().nullish(),
      reasoning: z.string().nullish(),
      created_at: z.string(),
    }),
  ),
});
export type EvalRunExport = z.output<typeof EvalRunExport>;

/** Ids compare as TruLayer's UUIDs do: letter case aside. */
export const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** `{"error": "...", "code"?: "..."}`. */
export function trulayerErrorMessage(body: unknown): string | undefined {
  const { error, code } = (body ?? {}) as { error?: unknown; code?: unknown };
  if (typeof error !== 'string') return undefined;
  return typeof code === 'string' || typeof code === 'number' ? `${error} (code ${code})` : error;
}

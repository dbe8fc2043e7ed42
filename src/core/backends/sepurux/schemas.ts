import { z } from 'zod';

// Answers of the Sepurux API (docs/sepurux.md). Unknown extra fields are allowed; a
// missing or mistyped field the gate relies on is schema drift and fails the gate.

/** Figures may be null while a run is pending. */
const figure = z.number().nullish();

/** `POST /v1/traces`; older servers answer `{id}`. */
export const TraceCreated = z
  .union([z.object({ trace_id: z.string().min(1) }), z.object({ id: z.string().min(1) })])
  .transform((body) => ('trace_id' in body ? body.trace_id : body.id));

/** `GET /v1/campaigns`: one page. */
export const CampaignPage = z.object({
  campaigns: z.array(z.object({ id: z.string().min(1), name: z.string() })),
  next_cursor: z.string().nullish(),
});

/** `POST /v1/ci/runs`: a single run, or a batch when the campaign has an eval-set. */
export const RunCreated = z.object({
  run_id: z.string().min(1),
  run_ids: z.array(z.string()).nullish(),
  trace_count: z.number().int().nonnegative().nullish(),
  ci_batch_id: z.string().min(1).nullish(),
});
export type RunCreated = z.output<typeof RunCreated>;

const common = {
  status: z.string(),
  decision: z.string().nullish(),
  pass_rate: figure,
  unsafe_attempts: figure,
  failures: figure,
  reliability_score: figure,
  trace_count: figure,
  top_failing_tools: z.array(z.object({ tool: z.string(), count: z.number() })).nullish(),
  dashboard_url: z.string().nullish(),
};

/** `GET /v1/ci/runs/{run_id}`. */
export const RunStatus = z.object({ run_id: z.string().min(1), ...common });

/** `GET /v1/ci/batch/{batch_id}`. */
export const BatchStatus = z.object({
  batch_id: z.string().min(1),
  scenario_coverage_pct: figure,
  ...common,
});

/** A run or batch answer, as the gate reads it. */
export type Progress = z.output<typeof RunStatus> | z.output<typeof BatchStatus>;

/** `{"detail": "..."}`, or FastAPI's list of validation errors. */
export function sepuruxErrorMessage(body: unknown): string | undefined {
  const detail = (body as { detail?: unknown } | null | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item: { msg?: unknown; loc?: unknown }) =>
        [Array.isArray(item.loc) ? item.loc.join('.') : '', item.msg].filter(Boolean).join(': '),
      )
      .join('; ');
  }
  return undefined;
}

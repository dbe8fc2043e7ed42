import { randomUUID } from 'node:crypto';

/** What the fake's per-item answers need to know of a run. */
export interface ItemsOfRun {
  id: string;
  meanScore: number;
}

/** How the fake scores items: the dataset's size, the noise, and the items left unscored. */
export interface ItemScoring {
  /** Items in the dataset. */
  items: number;
  /** How far each item's score strays from its run's mean (default 0.05). */
  itemNoise?: number;
  /** Metric rows per item in the export (default `['correctness']`). */
  metrics?: readonly string[];
}

/** The trace id of the dataset's `i`th item (0-based): the same in the diff and the export. */
export const traceId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Deterministic noise in [-1, 1]. */
function wobble(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

const clamp = (v: number) => Number(Math.min(1, Math.max(0, v)).toFixed(4));

/** The `i`th item's score in a run: around the run's mean; `salt` 1 for a baseline, 2 for a run. */
export const itemScore = (run: ItemsOfRun, i: number, scoring: ItemScoring, salt: number) =>
  clamp(run.meanScore + (scoring.itemNoise ?? 0.05) * wobble(i, salt));

/**
 * Per-item scores of `run` against `baseline` (EvalRunDiff), the same items for both. `unscored`
 * items have no run score (with `zeroUnscored`, a lying backend's diff gives them 0).
 */
export function diffOf(
  run: ItemsOfRun,
  baseline: ItemsOfRun,
  scoring: ItemScoring,
  unscored: (i: number) => boolean,
  zeroUnscored = false,
) {
  const items = Array.from({ length: scoring.items }, (_, i) => {
    const before = itemScore(baseline, i, scoring, 1);
    const after = unscored(i) ? (zeroUnscored ? 0 : null) : itemScore(run, i, scoring, 2);
    return {
      trace_id: traceId(i),
      label: `item ${i}`,
      baseline_score: before,
      run_score: after,
      delta: after === null ? 0 : Number((after - before).toFixed(4)),
      ...(after === null
        ? {}
        : { run_rationale: `answer ${i} judged ${after >= before ? 'as good' : 'worse'}` }),
    };
  });
  const paired = items.filter((item) => item.run_score !== null);
  const mean = paired.reduce((sum, item) => sum + item.delta, 0) / Math.max(1, paired.length);
  return {
    run_id: run.id,
    baseline_id: baseline.id,
    summary: {
      mean_delta: Number(mean.toFixed(4)),
      improved_count: paired.filter((i) => i.delta > 0).length,
      regressed_count: paired.filter((i) => i.delta < 0).length,
      unchanged_count: paired.filter((i) => i.delta === 0).length,
    },
    items,
  };
}

/**
 * The export of a run (EvalRunExportResponse): a row per completed item and metric. An
 * `unscored` item has a null score on its last metric; its other metrics are scored.
 */
export function exportOf(
  run: ItemsOfRun,
  view: Record<string, unknown> & { completed_count: number },
  scoring: ItemScoring,
  unscored: (i: number) => boolean,
) {
  const metrics = scoring.metrics ?? ['correctness'];
  const created = new Date().toISOString();
  const items = Array.from({ length: view.completed_count }, (_, i) =>
    metrics.map((metric, m) => ({
      id: randomUUID(),
      trace_id: traceId(i),
      metric_name: metric,
      evaluator_type: 'llm_judge',
      status: 'completed',
      score: unscored(i) && m === metrics.length - 1 ? null : itemScore(run, i, scoring, 2 + m),
      label: null,
      reasoning: `answer ${i} judged on ${metric}`,
      created_at: created,
    })),
  ).flat();
  return { run: view, items };
}

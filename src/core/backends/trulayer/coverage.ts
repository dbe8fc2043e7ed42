import { BackendCallError } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import { formatNumber } from '../../verdict/figures.js';
import type { Evaluation } from '../../verdict/verdict.js';
import { type EvalRun, type EvalRunExport, sameId } from './schemas.js';

/** Which of an eval run's items its export scored (`GET /v1/eval-runs/{id}/export`). */
export interface ScoredItems {
  /** How many items (distinct `trace_id`s) the export lists. */
  listed: number;
  /** How many of them have a score on every row. */
  scored: number;
  /** Trace ids, in lower case, of the listed items left without a score: never a zero in a mean. */
  unscored: ReadonlySet<string>;
}

/**
 * Reads an export: an item is a `trace_id`, with a row per metric. It counts as scored only when
 * every one of its rows has a score: a judgement with a metric missing is not the item's, and
 * counting it would let the metrics that were scored stand for the one that was not. The export
 * must be of the run asked about; one of another run fails closed.
 */
export function scoredItems(exported: EvalRunExport, runId: string): ScoredItems {
  if (!sameId(exported.run.id, runId)) {
    throw new BackendCallError(
      'GET /v1/eval-runs/{id}/export',
      `GET /v1/eval-runs/{id}/export was asked about eval run "${runId}" and answered about "${excerpt(exported.run.id)}"; the gate fails closed.`,
    );
  }
  const scoredByTrace = new Map<string, boolean>();
  for (const row of exported.items) {
    const trace = row.trace_id.toLowerCase();
    // A score that is null, or absent (the description makes it optional), scored nothing.
    const scored = typeof row.score === 'number';
    scoredByTrace.set(trace, (scoredByTrace.get(trace) ?? true) && scored);
  }
  const unscored = new Set(
    [...scoredByTrace].filter(([, scored]) => !scored).map(([trace]) => trace),
  );
  return { listed: scoredByTrace.size, scored: scoredByTrace.size - unscored.size, unscored };
}

/** The share of the dataset's items scored, in percent (`item_coverage_pct`). */
export const itemCoverage = (scored: number, items: number): number =>
  items > 0 ? (100 * scored) / items : 0;

/**
 * Why a completed eval run is no evaluation of the dataset, or undefined: it scored no item,
 * more items than it has, or fewer than `min_coverage` asks. `completed_count` says first; once
 * read, the export says which items have a score, and its count must agree with the run's.
 * Items left unscored within `min_coverage` are shown as coverage, never as zeros.
 */
export function uncovered(run: EvalRun, floor: number, exported?: ScoredItems): string | undefined {
  const items = run.item_count;
  if (exported && exported.listed > items)
    return `the eval run's export lists ${exported.listed} items, more than the ${items} it has, so its counts cannot be trusted`;
  if (exported && exported.scored > run.completed_count)
    return `the eval run's export scores ${exported.scored} items, more than the ${run.completed_count} it says it completed, so its counts cannot be trusted`;
  const scored = exported ? exported.scored : run.completed_count;
  const unscoredInExport = exported
    ? `; its export has no score for the other ${items - scored}`
    : '';
  if (items <= 0 || scored === 0)
    return `the eval run scored none of its ${items} items${exported && items > 0 ? ' (its export has no score for any)' : ''}`;
  if (scored > items)
    return `the eval run says it scored ${scored} of its ${items} items, more than it has, so its counts cannot be trusted`;
  const coverage = itemCoverage(scored, items);
  if (coverage >= floor) return undefined;
  return `the eval run scored ${scored} of its ${items} items (${formatNumber(coverage)}%${unscoredInExport}), below \`min_coverage\` (${formatNumber(floor)}%), so its mean is not the dataset's`;
}

/**
 * A run that could not evaluate: an error, never a sample. How much it scored is shown when that
 * can be told (`scored` of a completed run, within its item count): the shortfall is why.
 */
export function notEvaluated(run: EvalRun, why: string, scored: number): Evaluation {
  return {
    decision: 'fail',
    status: run.status,
    reason: why,
    unevaluated: why,
    ids: { run_id: run.id },
    figures:
      run.status === 'completed' && run.item_count > 0 && scored <= run.item_count
        ? { item_coverage_pct: itemCoverage(scored, run.item_count) }
        : {},
    thresholds: [],
    topFailingTools: [],
  };
}

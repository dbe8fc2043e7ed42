import { type ErrorBars, itemsNeeded, meanAndSd, meanInterval } from '../../support/stats.js';
import { excerpt } from '../../support/text.js';
import type { EvalRunDiff } from './schemas.js';

const MOST_REGRESSED = 5;

/**
 * Error bars from TruLayer's per-item diff, at `confidence`; paired, since both runs scored the
 * same items. `unscored` holds the trace ids (lower case) the run's export left without a score.
 */
export function errorBars(
  diff: EvalRunDiff,
  confidence: number,
  unscored: ReadonlySet<string> = new Set(),
): ErrorBars {
  // An item either run left unscored (a null or absent score, or one the export says has none)
  // has no score or delta to speak of: it is left out, never a zero.
  const items = diff.items.filter((item) => !unscored.has(item.trace_id.toLowerCase()));
  const paired = items.filter(
    (item) => typeof item.run_score === 'number' && typeof item.baseline_score === 'number',
  );
  const deltas = paired.map((item) => item.delta).filter(Number.isFinite);
  const scores = items.flatMap((item) =>
    typeof item.run_score === 'number' && Number.isFinite(item.run_score) ? [item.run_score] : [],
  );
  const meanDelta = meanInterval(deltas, confidence);
  const meanScore = meanInterval(scores, confidence);
  const { sd } = meanAndSd(deltas);
  const needed =
    meanDelta && meanDelta.low <= 0 && meanDelta.high >= 0
      ? itemsNeeded(sd, meanDelta.estimate, confidence)
      : undefined;
  const regressed = [...paired]
    .filter((item) => item.delta < 0)
    .sort((a, b) => a.delta - b.delta)
    .slice(0, MOST_REGRESSED)
    .map((item) => ({
      item: excerpt(item.label ?? item.trace_id, 80),
      ...(typeof item.baseline_score === 'number' ? { baseline: item.baseline_score } : {}),
      ...(typeof item.run_score === 'number' ? { run: item.run_score } : {}),
      delta: item.delta,
      ...(item.run_rationale ? { rationale: excerpt(item.run_rationale, 200) } : {}),
    }));
  return {
    basis: 'per-item scores',
    intervals: [
      ...(meanDelta
        ? [{ figure: 'mean_delta', label: 'mean paired delta', interval: meanDelta }]
        : []),
      ...(meanScore ? [{ figure: 'mean_score', label: 'mean score', interval: meanScore }] : []),
    ],
    itemScores: 'mean_score',
    regressed,
    ...(needed ? { itemsNeeded: { figure: 'mean_delta', count: needed } } : {}),
  };
}

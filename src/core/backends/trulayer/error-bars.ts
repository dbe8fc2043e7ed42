import { type ErrorBars, itemsNeeded, meanAndSd, meanInterval } from '../../support/stats.js';
import { excerpt } from '../../support/text.js';
import type { EvalRunDiff } from './schemas.js';

const MOST_REGRESSED = 5;

/** Error bars from TruLayer's per-item diff, at `confidence`; paired, since both runs scored the same items. */
export function errorBars(diff: EvalRunDiff, confidence: number): ErrorBars {
  // An item either run left unscored (a null score) has no delta to speak of: it is left out, never a zero.
  const paired = diff.items.filter(
    (item) => item.run_score !== null && item.baseline_score !== null,
  );
  const deltas = paired.map((item) => item.delta).filter(Number.isFinite);
  const scores = diff.items.flatMap((item) =>
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

import type { FigureSpec } from '../verdict/figures.js';
import {
  type Interval,
  meanAndSd,
  meanInterval,
  normalQuantile,
  tQuantile,
  wilsonInterval,
} from '../support/stats.js';
import type { Figures } from '../verdict/verdict.js';

/** The passes behind a rate in every repeat, when each repeat's rate times its trials is a whole number. */
export interface PooledCount {
  passes: number;
  trials: number;
}

/** The repeats' figures pooled: what the thresholds are judged on. */
export interface Pooled {
  figures: Figures;
  /** Per figure, the repeats' own values (for t intervals and the Gaussian sequential test). */
  values: Record<string, number[]>;
  /** Per rate figure, the pooled passes and trials, where every repeat gives them. */
  counts: Record<string, PooledCount>;
  /**
   * Per figure pooled by its trials (a weighted mean, or pooled counts), each repeat's weight (its trials): a test on the
   * repeats' values must weigh them as the pooled figure does, or a repeat of 3 traces counts as
   * much as one of 1001 and the test can call a threshold the pooled figure misses.
   */
  weights: Record<string, number[]>;
}

/**
 * What pooling does with a figure that is not a count and has no weights in every verdict:
 * `mean` takes the plain mean (repeats of one evaluation are alike in size); `omit` leaves it
 * out (shards differ in size, and an unweighted mean of them would mislead), so that a
 * threshold on it fails closed.
 */
export type Unweighted = 'mean' | 'omit';

/**
 * Pools verdicts' figures (a gate's repeats, an aggregate's shards) by what each backend
 * declares, not by names: counts (whole-number figures) are summed; a rate with a declared trial
 * count is pooled as passes over trials; any other figure is the mean of the values, weighted
 * by their trials or `weightedBy` count where declared, else as `unweighted` says. A figure
 * missing from any verdict is left out, so that a threshold on it fails closed.
 */
export function poolFigures(
  repeats: readonly Figures[],
  specs: readonly FigureSpec[],
  unweighted: Unweighted = 'mean',
): Pooled {
  const pooled: Pooled = { figures: {}, values: {}, counts: {}, weights: {} };
  for (const spec of specs) {
    const values = repeats.map((figures) => figures[spec.name]);
    if (repeats.length === 0 || values.some((v) => v === undefined)) continue;
    const present = values as number[];
    if (spec.domain.integer) {
      pooled.values[spec.name] = present;
      pooled.figures[spec.name] = present.reduce((sum, v) => sum + v, 0);
      continue;
    }
    const count = spec.trials ? countsOf(repeats, spec.name, spec.trials) : undefined;
    if (count) {
      pooled.values[spec.name] = present;
      pooled.counts[spec.name] = count;
      // Kept for a sequential test on the values, where the counts prove nothing (sequential.ts).
      pooled.weights[spec.name] = repeats.map((figures) => figures[spec.trials ?? ''] ?? 0);
      pooled.figures[spec.name] = round(count.passes / count.trials);
      continue;
    }
    const by = spec.trials ?? spec.weightedBy;
    const weights = by ? repeats.map((figures) => figures[by]) : [];
    const weighted = weights.length > 0 && weights.every((w) => w !== undefined && w > 0);
    if (!weighted && unweighted === 'omit') continue;
    pooled.values[spec.name] = present;
    const total = weighted ? weights.reduce<number>((sum, w) => sum + (w ?? 0), 0) : present.length;
    if (weighted) pooled.weights[spec.name] = weights as number[];
    pooled.figures[spec.name] = round(
      present.reduce((sum, v, i) => sum + v * (weighted ? (weights[i] ?? 0) : 1), 0) / total,
    );
  }
  return pooled;
}

/** Failing tools of several verdicts merged: each tool's counts summed, the most failing first. */
export function mergeFailingTools(
  lists: readonly (readonly { tool: string; count: number }[])[],
): { tool: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const list of lists)
    for (const t of list) counts.set(t.tool, (counts.get(t.tool) ?? 0) + t.count);
  return [...counts].map(([tool, count]) => ({ tool, count })).sort((a, b) => b.count - a.count);
}

/** Passes over trials pooled across the repeats, when every repeat's passes are a whole number. */
function countsOf(
  repeats: readonly Figures[],
  rate: string,
  trials: string,
): PooledCount | undefined {
  let passes = 0;
  let total = 0;
  for (const figures of repeats) {
    const n = figures[trials];
    const p = figures[rate];
    if (n === undefined || p === undefined || !Number.isInteger(n) || n < 1) return undefined;
    const k = p * n;
    if (Math.abs(k - Math.round(k)) > 0.01) return undefined;
    passes += Math.round(k);
    total += n;
  }
  return { passes, trials: total };
}

/** A figure's interval across the repeats: Wilson of the pooled counts where known, else a t interval of the values (two repeats at least). */
export function pooledInterval(
  pooled: Pooled,
  figure: string,
  confidence: number,
): Interval | undefined {
  const count = pooled.counts[figure];
  if (count) return wilsonInterval(count.passes, count.trials, confidence);
  const values = pooled.values[figure];
  return values ? meanInterval(values, confidence) : undefined;
}

/**
 * What the sample can see for a threshold on `figure`: the half-width of its interval is the
 * smallest shortfall it tells from noise; the repeats an observed shortfall would need are the
 * fewest whose interval would be narrower than it.
 */
export function detectability(
  pooled: Pooled,
  figure: string,
  confidence: number,
  observed: number | undefined,
  repeats: number,
): { shortfall: number; repeatsNeeded?: number } | undefined {
  const count = pooled.counts[figure];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  if (count) {
    const p = Math.min(Math.max(count.passes / count.trials, 0.05), 0.95);
    const perRepeat = count.trials / repeats;
    const shortfall = z * Math.sqrt((p * (1 - p)) / count.trials);
    const needed =
      observed && observed > 0
        ? Math.ceil((z * z * p * (1 - p)) / (observed * observed) / perRepeat)
        : undefined;
    return {
      shortfall: round(shortfall),
      ...(needed ? { repeatsNeeded: Math.max(needed, 1) } : {}),
    };
  }
  const values = pooled.values[figure];
  if (!values || values.length < 2) return undefined;
  const { sd } = meanAndSd(values);
  if (!(sd > 0)) return { shortfall: 0 };
  const half = (n: number) => tQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  let needed: number | undefined;
  if (observed && observed > 0)
    for (let n = 2; n <= 1000 && needed === undefined; n++) if (half(n) < observed) needed = n;
  return { shortfall: round(half(values.length)), ...(needed ? { repeatsNeeded: needed } : {}) };
}

const round = (value: number) => Number(value.toFixed(6));

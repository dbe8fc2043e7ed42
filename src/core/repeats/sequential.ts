import type { FigureDomain } from '../verdict/figures.js';
import { meanAndSd } from '../support/stats.js';
import type { Pooled, PooledCount } from './pool.js';
import type { SequentialState } from './types.js';

/** Values a Gaussian test needs before it may call a threshold held: a spread needs two. */
export const MIN_VALUES = 2;

/**
 * The spread the values test expects before the runs show theirs: a prior of
 * {@link PRIOR_RUNS} runs' worth of variance at {@link PRIOR_VARIANCE} × margin². The runs'
 * own spread is pooled with it (the mean of an inverse-gamma posterior), so that one value has
 * a spread to be weighed with, and two values that happen to lie close (or far apart) do not
 * alone make the test certain (or blind). Chosen by the simulation in bench/sequential.ts, the
 * rows comparing the rules: with runs of 20 attempts, a first run at true 0.90 calls `breaks`
 * about 1% of the time, one at 0.70 some 40%.
 */
export const PRIOR_VARIANCE = 2;
export const PRIOR_RUNS = 3;

/** What a sequential test is asked: is the figure at least `limit + margin`, or at most `limit − margin`? */
export interface SequentialQuestion {
  input: string;
  comparator: '>=' | '<=';
  limit: number;
  margin: number;
  /** Wrong-verdict rates: `alpha` for calling a bad change good, `beta` for calling a good one bad. */
  alpha: number;
  beta: number;
}

/**
 * Wald's sequential probability ratio test between "good" (the threshold holds by `margin`)
 * and "bad" (it breaks by `margin`). With pooled counts, the binomial likelihood of the passes
 * (Wald's test, the least expected sample for its error rates); with only the repeats' values,
 * a Gaussian likelihood whose variance is the runs' spread pooled with a prior one
 * ({@link PRIOR_VARIANCE}) and floored at `margin²`, so that two equal values never claim
 * certainty. Stops for "holds" above ln((1−β)/α), for "breaks" below ln(β/(1−α)).
 *
 * One value alone may call `breaks`, never `holds`: it is weighed with the prior's spread, and a
 * call it gets wrong fails a good change (the closed side) rather than passing a bad one. A
 * single 20-attempt run at 19/20 is common for an agent at 80%, so a pass still needs two
 * values and their spread. (The test before this one called nothing on one value and plugged
 * in two values' spread alone: an agent at 0.50 took 2.25 runs to fail, one at 0.70 2.60.)
 *
 * Why not a test valid for any spread, such as a betting confidence sequence for a bounded mean
 * (Waudby-Smith and Ramdas, 2023), which holds for any number of trials per run and under
 * peeking: valid for every distribution on [0, 1] is exactly what keeps it from deciding within
 * `max_repeats`. A run at 1.0 is what an agent at 0.80 shows 80% of the time when a run is one
 * trial, so "holds" at 0.85 ± 0.05 needs some 14 runs at 1.0; two runs at 0.70 are what a mean
 * of 0.90 (a third of its runs at 0.70, the rest at 1.0) shows 11% of the time, so no such test
 * calls "breaks" there at 5%. bench/sequential.ts prices it beside this rule. Deciding within
 * five runs takes a model of a run's spread; this test's is Gaussian, with the spread the runs
 * show pooled with the prior's. Like any such model it is only as right as its spread: with
 * runs of 5 or 10 trials both this test and the one before it fail good agents far more often
 * than their nominal rate (bench/sequential.ts shows by how much).
 *
 * `weights` (each value's trials, where the pooled figure is a weighted mean): each value is
 * taken as a mean of its weight's worth of observations, variance σ²/w (weights scaled to
 * average 1, so equal weights are the unweighted test). The log ratio is then
 * (good − bad)/σ² · Σw · (weighted mean − limit): its sign is the pooled figure's against the
 * limit, so the test can never call a threshold that the pooled figure misses.
 */
export function sequentialTest(
  question: SequentialQuestion,
  data: SequentialData,
): SequentialState {
  const { input, comparator, limit, margin, alpha, beta } = question;
  const upper = Math.log((1 - beta) / alpha);
  const lower = Math.log(beta / (1 - alpha));
  // "good" is above the limit for `>=`, below it for `<=`.
  const good = comparator === '>=' ? limit + margin : limit - margin;
  const bad = comparator === '>=' ? limit - margin : limit + margin;
  let llr: number;
  let on: SequentialState['on'];
  if ('count' in data) {
    const clamp = (p: number) => Math.min(Math.max(p, 1e-6), 1 - 1e-6);
    const [p1, p0] = [clamp(good), clamp(bad)];
    const { passes, trials } = data.count;
    llr = passes * Math.log(p1 / p0) + (trials - passes) * Math.log((1 - p1) / (1 - p0));
    on = 'counts';
  } else {
    const { values } = data;
    const weights = scaledWeights(values.length, data.weights);
    const n = values.length;
    const sd = n > 1 ? (weights ? weightedSd(values, weights) : meanAndSd(values).sd) : 0;
    const squares = Number.isFinite(sd) ? sd * sd * (n - 1) : 0;
    const prior = PRIOR_RUNS * PRIOR_VARIANCE * margin * margin;
    // Never below the floor: a spread smaller than the margin is not believed.
    const variance = Math.max((prior + squares) / (PRIOR_RUNS + n - 1), margin * margin);
    llr = values.reduce(
      (sum, x, i) =>
        sum + ((weights?.[i] ?? 1) * ((x - bad) ** 2 - (x - good) ** 2)) / (2 * variance),
      0,
    );
    on = 'values';
  }
  // A pass needs a spread (two values); a fail may come from one value far enough below.
  const enough = on === 'counts' || ('values' in data && data.values.length >= MIN_VALUES);
  const call = llr >= upper && enough ? 'holds' : llr <= lower ? 'breaks' : 'undecided';
  return {
    input,
    call,
    llr: Number(llr.toFixed(4)),
    lower: Number(lower.toFixed(4)),
    upper: Number(upper.toFixed(4)),
    on,
  };
}

/** What a sequential test on one figure is given: pooled counts, or the repeats' values (with their weights). */
export type SequentialData =
  { count: PooledCount } | { values: readonly number[]; weights?: readonly number[] };

/**
 * The evidence the sequential test weighs for `figure`: Wald's test on the pooled counts where
 * the trials behind the rate are known, else the repeats' values, weighed by their trials as the
 * pooled figure is. Counts are inferred from "rate × trials is a whole number in every repeat"
 * (pool.ts), a check that proves nothing when every repeat is at the edge of the range: 1.0 × 1
 * trace is whole whether the run behind it made one attempt or twenty. Taken for one trial, a
 * run of twenty attempts at 1.0 weighs as one coin toss (Wald's test would need some 25 repeats
 * to call 0.85 held, so it always ran into `max_repeats`), while the same agent's run at 0.95
 * (not whole) is weighed as a run. There the trials are unknown, and the values decide. The
 * pooled figure is the same either way (passes over trials is the trial-weighted mean).
 */
export function sequentialData(
  pooled: Pooled,
  figure: string,
  domain: FigureDomain,
): SequentialData | undefined {
  const count = pooled.counts[figure];
  const values = pooled.values[figure];
  const [min, max] = [domain.min ?? 0, domain.max ?? 1];
  const inside = values?.some((v) => v > min && v < max) ?? false;
  if (count && (inside || !values)) return { count };
  // Weighed as the pooled figure is: by each repeat's trials.
  const weights = pooled.weights[figure];
  return values ? { values, ...(weights ? { weights } : {}) } : undefined;
}

/** Weights scaled to average 1; undefined when there are none, or they are not one positive finite weight per value. */
function scaledWeights(n: number, weights: readonly number[] | undefined): number[] | undefined {
  if (
    !weights ||
    weights.length !== n ||
    n === 0 ||
    !weights.every((w) => Number.isFinite(w) && w > 0)
  )
    return undefined;
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map((w) => (w * n) / total);
}

/** σ of one unit of weight: √(Σ w (x − x̄_w)² / (n − 1)), with weights that average 1 (the sample SD when they are all 1). */
function weightedSd(values: readonly number[], weights: readonly number[]): number {
  const n = values.length;
  const mean = values.reduce((sum, x, i) => sum + (weights[i] ?? 1) * x, 0) / n;
  return Math.sqrt(
    values.reduce((sum, x, i) => sum + (weights[i] ?? 1) * (x - mean) ** 2, 0) / (n - 1),
  );
}

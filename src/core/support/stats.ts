import studentTQuantile from '@stdlib/stats-base-dists-t-quantile';
/**
 * Error bars for an eval gate (see docs/decisions.md, "Error bars"): the t interval of a mean, the
 * Wilson interval of a proportion, and the sample size a difference needs. Computed on what the
 * backend returned; every result names its method.
 */

/** An interval around an estimate, and how it was made. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** e.g. 0.95. */
  confidence: number;
  n: number;
  method: string;
}

/** An interval on one of a backend's figures, as the report states it. */
export interface FigureInterval {
  /** The figure it bounds (its declaration formats the numbers). */
  figure: string;
  /** How the report names it, e.g. `pass rate`, `mean paired delta`. */
  label: string;
  interval: Interval;
}

/**
 * What a backend's raw numbers say beyond its figures: intervals on some of them, the items
 * that regressed most, the sample a difference needs. Backend-neutral: each interval names the
 * figure it bounds, so the report and the thresholds iterate them.
 */
export interface ErrorBars {
  /** What the intervals are computed from, in a reviewer's words (`the trace count`). */
  basis: string;
  /** In the order the report states them. */
  intervals: FigureInterval[];
  /** The figure the per-item scores are on (it formats the regressed items' scores). */
  itemScores?: string;
  /** Items that lost the most against the baseline, with the run's rationale. */
  regressed: { item: string; baseline?: number; run?: number; delta: number; rationale?: string }[];
  /**
   * When a paired difference's interval includes zero: the items telling it from zero would
   * take (two-sided, 80 % power), and the figure it is of.
   */
  itemsNeeded?: { figure: string; count: number };
}

/** The interval a verdict's error bars give on `figure`, if any. */
export function intervalOf(bars: ErrorBars | undefined, figure: string): Interval | undefined {
  return bars?.intervals.find((i) => i.figure === figure)?.interval;
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new RangeError(`a probability strictly between 0 and 1, not ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((sum, coefficient) => sum * x + coefficient, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * Student's t quantile for `df` degrees of freedom, exact (stdlib inverts the regularised
 * incomplete beta function). Repeats live at 1 to 4 degrees of freedom with corrected levels,
 * where a series expansion is several percent too small and intervals too narrow.
 */
export function tQuantile(p: number, df: number): number {
  return studentTQuantile(p, df);
}

/** Mean and sample standard deviation. */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const sd =
    n > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { mean, sd };
}

/** The t interval of a mean: `mean ± t(1-α/2, n-1) · s/√n`; undefined below two values. */
export function meanInterval(values: readonly number[], confidence: number): Interval | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  const { mean, sd } = meanAndSd(values);
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return {
    estimate: mean,
    low: mean - half,
    high: mean + half,
    confidence,
    n,
    method: `t interval (n = ${n})`,
  };
}

/** The Wilson score interval of a proportion `k` of `n`. */
export function wilsonInterval(k: number, n: number, confidence: number): Interval | undefined {
  if (n <= 0) return undefined;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return {
    estimate: p,
    low: centre - half,
    high: centre + half,
    confidence,
    n,
    method: `Wilson score interval (n = ${n})`,
  };
}

/**
 * Items needed to tell a mean paired difference `difference` from zero, two-sided at 1 −
 * `confidence`, with `power`, when the differences have standard deviation `sd`:
 * `n ≈ ((z(1-α/2) + z(power)) · sd / difference)²`.
 */
export function itemsNeeded(
  sd: number,
  difference: number,
  confidence: number,
  power = 0.8,
): number | undefined {
  if (!(sd > 0) || difference === 0 || !Number.isFinite(sd)) return undefined;
  const z = normalQuantile(1 - (1 - confidence) / 2) + normalQuantile(power);
  return Math.ceil(((z * sd) / Math.abs(difference)) ** 2);
}

/** Where an interval stands against a bound the figure must be at least: all above, all below, or across. */
export function judgeAtLeast(
  interval: Interval,
  bound: number,
): 'holds' | 'breaks' | 'inconclusive' {
  if (interval.low >= bound) return 'holds';
  if (interval.high < bound) return 'breaks';
  return 'inconclusive';
}

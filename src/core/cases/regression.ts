/*
 * Whether a change's failing cases are a regression or main's own noise (contract section 14).
 *
 * Why this method. A pass rate against main's last verdict is two point values: how often a
 * drop of 0.05 cries wolf depends on how flaky the suite is. The exact sign test on the pairs
 * against one verdict is safe but weak (a solid case failing once says little against one
 * verdict). What separates noise from a regression is each case's own record on main: a case
 * that never failed in 10 verdicts failing now is surprising, one that failed in 5 of 10 is not.
 *
 * So, with main's history: each case's failure rate is its failed-in-k-of-n, shrunk by empirical
 * Bayes toward the suite's spread (a Beta prior fitted by the method of moments to the
 * beta-binomial counts, guarded where the spread is no wider than chance or the history never
 * failed), so that 0 of 10 is small but not zero and 5 of 10 stays near a half. The statistic is
 * the surprisal of the cases failing now, T = Σ −log q̂ᵢ over them: a solid case failing adds
 * about 3 to 4, a flaky one under 1. Its null distribution (each case failing on its own at q̂ᵢ)
 * is computed exactly, not simulated: each surprisal is rounded to a lattice (0.01 nats) and the
 * cases sharing a record (hence a q̂) are one binomial, so P(T ≥ t) is a convolution of a few
 * binomials over integers, capped at t. Exact means no seed and no sampling error: the same
 * inputs give the same p. bench/regression.ts measures it against the point rule and the sign
 * test (BENCHMARKS.md: against the bar of 4.3 / 3.4 / 1.7% false regressions and
 * 70 / 58 / 34% caught at 0 / 10 / 20 flaky cases of 50, this rule raised 4.3 / 4.4 / 2.3% and
 * caught 69 / 68 / 56%: it pays under a point of false alarms at 10 flaky cases for ten more points
 * of power there and twenty-two at 20; the pooled pseudo-counts and the prior's cap were chosen by
 * that bench).
 */

/** One case as the history test reads it: its record on main (errored verdicts left out) and whether it fails now. */
export interface CaseRecordOnMain {
  /** Comparable verdicts on main that evaluated it, and in how many it failed. */
  of: number;
  failedIn: number;
  failingNow: boolean;
}

/** The Beta prior the cases' rates are shrunk toward: q̂ = (k + a) / (n + a + b). */
export interface ShrinkPrior {
  a: number;
  b: number;
}

/** What the history test found: p, the statistic (nats), and each case's shrunk rate in input order. */
export interface HistoryTestResult {
  p: number;
  statistic: number;
  rates: number[];
  prior: ShrinkPrior;
}

/** The lattice the surprisals are rounded to (nats); coarsened for very large suites to bound the work. */
const LATTICE_NATS = 0.01;
/** Most additions the convolution may take (lattice points × binomial terms): a suite of thousands stays well under a second. */
const CONVOLUTION_BUDGET = 40_000_000;
/** The prior's weight a + b at most: a suite with no spread beyond chance pools its cases, but each keeps a little of its own record. */
const MAX_PRIOR_WEIGHT = 50;
/** Failures and passes added to the suite's pooled rate (as Agresti and Coull add two of each): it is itself estimated, from a few failures in a few hundred verdicts, and an underestimate would cry wolf. */
const POOLED_PSEUDO_COUNT = 2;

/**
 * The exact one-sided sign test on the pairs against one base verdict: `newlyFailing` (b) cases
 * failing now that passed there, `newlyPassing` (c) the other way; p = P(X ≥ b), X ~
 * Binomial(b + c, 1/2). p = 1 with no discordant pair.
 */
export function signTest(newlyFailing: number, newlyPassing: number): number {
  const n = newlyFailing + newlyPassing;
  if (newlyFailing <= 0) return 1;
  const pmf = binomialPmf(n, 0.5);
  return Math.min(
    1,
    pmf.slice(newlyFailing).reduce((sum, x) => sum + x, 0),
  );
}

/**
 * The Beta prior fitted to the cases' records by the method of moments. For beta-binomial counts
 * with n verdicts each, Var(k/n) = m(1−m)/n · (1 + (n−1)ρ), ρ = 1/(a+b+1): ρ is read off the
 * observed spread. Guards: the pooled rate counts two more failures and passes than it saw (a
 * history that never failed does not make a case certain to pass); a spread no wider than chance pools the
 * cases with weight {@link MAX_PRIOR_WEIGHT}; a spread of only 0s and 1s keeps a + b ≥ 0.1.
 */
export function fitPrior(
  records: readonly Pick<CaseRecordOnMain, 'of' | 'failedIn'>[],
): ShrinkPrior {
  const seen = records.filter((r) => r.of > 0);
  const verdicts = seen.reduce((sum, r) => sum + r.of, 0);
  const failures = seen.reduce((sum, r) => sum + r.failedIn, 0);
  if (seen.length === 0 || verdicts === 0) return { a: 0.5, b: 0.5 };
  const mean = (failures + POOLED_PSEUDO_COUNT) / (verdicts + 2 * POOLED_PSEUDO_COUNT);
  const n = verdicts / seen.length;
  const spread =
    seen.reduce((sum, r) => sum + (r.failedIn / r.of - mean) ** 2, 0) /
    Math.max(seen.length - 1, 1);
  const rho = n > 1 ? (spread * n) / (mean * (1 - mean)) - 1 : 0;
  const weight =
    rho > 0 ? Math.min(Math.max((n - 1) / rho - 1, 0.1), MAX_PRIOR_WEIGHT) : MAX_PRIOR_WEIGHT;
  return { a: mean * weight, b: (1 - mean) * weight };
}

/**
 * The history test: is the set of cases failing now less likely under main's own (shrunk) rates
 * than chance allows? p = P(T ≥ t) under independent failures at q̂ᵢ, exact on the lattice.
 * Cases main never evaluated (`of` 0) are left to the caller: they have no record to judge by.
 */
export function historyTest(cases: readonly CaseRecordOnMain[]): HistoryTestResult {
  const prior = fitPrior(cases);
  const rates = cases.map((c) => (c.failedIn + prior.a) / (c.of + prior.a + prior.b));
  const statistic = cases.reduce(
    (sum, c, i) => sum + (c.failingNow ? -Math.log(rates[i] as number) : 0),
    0,
  );
  // Cases with the same record share a rate: one binomial each.
  const groups = new Map<string, { rate: number; size: number }>();
  for (const [i, c] of cases.entries()) {
    const key = `${c.failedIn}/${c.of}`;
    const group = groups.get(key);
    if (group) group.size++;
    else groups.set(key, { rate: rates[i] as number, size: 1 });
  }
  let step = LATTICE_NATS;
  const terms = cases.length + groups.size;
  const latticeOf = (rate: number) => Math.round(-Math.log(rate) / step);
  const observed = () =>
    cases.reduce((sum, c, i) => sum + (c.failingNow ? latticeOf(rates[i] as number) : 0), 0);
  let t = observed();
  while (t * terms > CONVOLUTION_BUDGET) {
    step *= 10;
    t = observed();
  }
  return { p: t <= 0 ? 1 : upperTail([...groups.values()], latticeOf, t), statistic, rates, prior };
}

/** P(Σ wᵍ·Yᵍ ≥ t), Yᵍ ~ Binomial(sizeᵍ, rateᵍ), wᵍ on the lattice: a convolution over 0 … t, the last cell holding "t or more". */
function upperTail(
  groups: readonly { rate: number; size: number }[],
  latticeOf: (rate: number) => number,
  t: number,
): number {
  let dist = new Float64Array(t + 1);
  dist[0] = 1;
  for (const { rate, size } of groups) {
    const weight = latticeOf(rate);
    if (weight <= 0) continue;
    const pmf = binomialPmf(size, rate);
    const tail = new Float64Array(pmf.length + 1);
    for (let j = pmf.length - 1; j >= 0; j--)
      tail[j] = (tail[j + 1] as number) + (pmf[j] as number);
    const next = new Float64Array(t + 1);
    for (let from = 0; from <= t; from++) {
      const mass = dist[from] as number;
      if (mass === 0) continue;
      for (let j = 0; j < pmf.length; j++) {
        const to = from + j * weight;
        if (to >= t) {
          // This j and every further one land in the last cell.
          next[t] = (next[t] as number) + mass * (tail[j] as number);
          break;
        }
        next[to] = (next[to] as number) + mass * (pmf[j] as number);
      }
    }
    dist = next;
  }
  return Math.min(1, Math.max(0, dist[t] as number));
}

/** Binomial(n, q)'s probabilities 0 … n, in logs so that large n and small q do not underflow to nonsense. */
function binomialPmf(n: number, q: number): number[] {
  const [lq, lr] = [Math.log(q), Math.log1p(-q)];
  const logFactorial = logFactorials(n);
  return Array.from({ length: n + 1 }, (_, j) =>
    Math.exp(
      (logFactorial[n] as number) -
        (logFactorial[j] as number) -
        (logFactorial[n - j] as number) +
        j * lq +
        (n - j) * lr,
    ),
  );
}

/** log 0!, log 1!, …, log n!. */
function logFactorials(n: number): number[] {
  const table = [0];
  for (let i = 1; i <= n; i++) table.push((table[i - 1] as number) + Math.log(i));
  return table;
}

import type { FakeOutcome } from './fake-sepurux-types.js';

/** A seeded uniform random source (mulberry32): a benchmark or test draws the same runs every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A noisy agent's run: `attempts` attempts, each passing with probability `trueRate`; the run
 * answers `pass_rate` = passes / attempts, and the failures, as a Sepurux run would.
 */
export function binomialOutcome(
  trueRate: number,
  attempts: number,
  random: () => number,
  options: { knownTrials?: boolean } = {},
): () => Partial<FakeOutcome> {
  return () => {
    let passes = 0;
    for (let i = 0; i < attempts; i++) if (random() < trueRate) passes++;
    // `knownTrials`: the run says how many trials are behind its rate (`trace_count` = attempts), as a batch of that many traces does.
    return {
      pass_rate: passes / attempts,
      failures: attempts - passes,
      unsafe_attempts: 0,
      ...(options.knownTrials ? { overrides: { trace_count: attempts } } : {}),
    };
  };
}

/** Decides as Sepurux does from the thresholds a run was started with: every one must hold. */
export function decisionFrom(
  outcome: Partial<FakeOutcome>,
  thresholds: Record<string, number>,
): 'pass' | 'fail' {
  const at = (value: number | null | undefined) => value ?? Number.NaN;
  const holds = [
    thresholds.min_pass_rate === undefined || at(outcome.pass_rate) >= thresholds.min_pass_rate,
    thresholds.max_unsafe === undefined || at(outcome.unsafe_attempts) <= thresholds.max_unsafe,
    thresholds.max_failures === undefined || at(outcome.failures) <= thresholds.max_failures,
    thresholds.min_reliability_score === undefined ||
      at(outcome.reliability_score) >= thresholds.min_reliability_score,
  ];
  return holds.every(Boolean) ? 'pass' : 'fail';
}

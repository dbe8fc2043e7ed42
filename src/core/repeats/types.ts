import type { Interval } from '../support/stats.js';

/**
 * What the repeats of one gate did: each run's figures and decision, the pooled intervals, and
 * why the gate stopped where it did. Owned by the repeats feature; a verdict carries it.
 */
export interface RepeatSummary {
  /** `fixed`: `repeats: N`; `auto`: a sequential test chose how many. */
  mode: 'fixed' | 'auto';
  /** Repeats run, and how many passed on their own (pass^k holds when they are equal). */
  run: number;
  passed: number;
  rows: RepeatRow[];
  /** Each pooled figure's interval across the repeats (a t interval of their values, or Wilson of pooled counts). */
  intervals: Record<string, Interval>;
  /** Why the gate stopped here, in one sentence. */
  stopped: string;
  /** `auto` only: the budget (`max_repeats` or `timeout`) came before a decision; the pooled figure decided. */
  decidedAtBudget?: boolean;
  /** `auto` only: where each threshold's sequential test stood when the gate stopped. */
  sequential?: SequentialState[];
  /** What this sample can see, per threshold judged on a rate or a mean. */
  detectable: Detectable[];
  /** Tools that failed in some repeats and not in others, apart from those that failed in all. */
  flakyTools: string[];
  steadyTools: string[];
}

/** One repeat, as the verdict shows it. */
export interface RepeatRow {
  /** 1-based. */
  index: number;
  decision: 'pass' | 'warn' | 'fail';
  /** `error` when the repeat could not run. */
  outcome: 'evaluated' | 'error' | 'cancelled';
  reason: string;
  figures: Record<string, number>;
  runId?: string;
  dashboardUrl?: string;
  failingTools: string[];
  /** `auto`: the repeat that took this one's place, when it had no verdict after its retries. */
  replacedBy?: number;
}

/** A sequential probability ratio test's state for one threshold. */
export interface SequentialState {
  input: string;
  call: 'holds' | 'breaks' | 'undecided';
  /** The log-likelihood ratio of "at least threshold + margin" over "at most threshold − margin", and its bounds. */
  llr: number;
  lower: number;
  upper: number;
  /** `counts` (Wald, on pooled passes) or `values` (Gaussian, on the repeats' values with a floored variance). */
  on: 'counts' | 'values';
}

/** What the sample can detect for one threshold. */
export interface Detectable {
  input: string;
  /** The smallest shortfall from the threshold this many repeats would tell from noise, at the confidence used. */
  shortfall: number;
  /** The observed shortfall (limit − estimate for `>=`), when there is one. */
  observed?: number;
  /** Repeats the observed shortfall would need to be told from noise. */
  repeatsNeeded?: number;
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** The repeats behind a pooled verdict (`repeats`), each run's figures and why the gate stopped. */
    repeats?: RepeatSummary;
  }
}

import type { BackendContext } from '../backends/types.js';
import type { Attempt, AttemptContexts, AttemptTarget } from '../retry/attempt.js';
import type { RunBudget } from '../retry/budget.js';
import type { Why } from '../verdict/why.js';
import type { RepeatRow } from './types.js';

/** The margin of a rate (a figure from 0 to 1) when `margin` is not given. */
export const DEFAULT_RATE_MARGIN = 0.05;
/** The confidence of `repeats: auto`'s sequential test when `confidence` is not given. */
export const DEFAULT_AUTO_CONFIDENCE = 0.95;

/** How the gate repeats its evaluation, from the inputs. */
export interface RepeatPolicy {
  repeats: number | 'auto';
  maxRepeats: number;
  minRepeats: number;
  margin?: number;
  confidence?: number;
  onInconclusive: 'warn' | 'fail';
  requireAll: boolean;
}

/** What the core hands the repeats: the attempt target, the budget, and a context for each repeat's attempts. */
export interface RepeatRun extends AttemptTarget {
  policy: RepeatPolicy;
  /** Counts every start against `max_runs`, and keeps each error. */
  budget: RunBudget;
  /** The contexts of repeat `index`'s (1-based) attempts: each its own gate key, so that each is its own backend run. */
  contextsFor(index: number): AttemptContexts;
  /** Reads why a repeat failed, where the backend can say; never throws. */
  explain(context: BackendContext): Promise<Why | undefined>;
}

/** One repeat's outcome: its last attempt, and its row. */
export interface Outcome extends Attempt {
  row: RepeatRow;
}

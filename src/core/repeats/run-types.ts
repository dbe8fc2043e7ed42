import type { Backend, BackendContext, GateLog, PreparedGate } from '../backends/types.js';
import type { Deadline } from '../support/deadline.js';
import { type Evaluation, type Verdict } from '../verdict/verdict.js';
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

/** What the core hands the repeats: the backend, its prepared gate, and a context for each repeat. */
export interface RepeatRun {
  backend: Backend;
  prepared: PreparedGate;
  policy: RepeatPolicy;
  deadline: Deadline;
  log: GateLog;
  /** The context of repeat `index` (1-based): its own gate key, so that each is its own backend run. */
  contextFor(index: number): BackendContext;
  /** Rejects when the job is cancelled. */
  stopped: Promise<never>;
  /** Reads why a repeat failed, where the backend can say; never throws. */
  explain(context: BackendContext): Promise<Why | undefined>;
}

/** One repeat's outcome: its row, its verdict, what the backend returned, where it ran. */
export interface Outcome {
  row: RepeatRow;
  verdict: Verdict;
  evaluation?: Evaluation;
  context: BackendContext;
  durationMs: number;
}

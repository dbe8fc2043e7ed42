import { errorsLeft } from '../retry/types.js';
import type { Verdict } from './verdict.js';

/*
 * A failing verdict is one of two things to a CI that reads it: a regression (the agent was
 * evaluated and broke a threshold) or an outage (contract section 10: the backend could not
 * evaluate, so the verdict is `fail` to stay closed, but says nothing about the agent). Doors
 * that speak through a status (the command line's exit 3) tell them apart here. Whatever is not
 * surely an outage is a failure: an outage must never hide a regression, and a team may let an
 * outage pass.
 */

/** What a failing verdict failed on: `could not evaluate` (an outage), or anything else. */
export type FailureKind = 'regression' | 'could not evaluate';

/**
 * Why a `fail` verdict failed. One gate: `could not evaluate` when it reached no verdict
 * (`outcome: error`), every error left after the retries is the backend's not evaluating (a run
 * it failed or left short of coverage, a backend it could not reach, no verdict by `timeout`),
 * none is an answer the gate refused (a 4xx, an answer it cannot trust: fail closed), and no
 * threshold it did measure breaks (repeats that evaluated and broke one are a regression,
 * whatever else errored). Many gates (`config`) and shards: any entry or shard that failed as a
 * regression makes the whole one; else any that could not evaluate makes it `could not
 * evaluate`. Shard reports that fail closed themselves (missing, stale, altered) are never an
 * outage. Undefined for a verdict that did not fail, and for a cancelled job.
 */
export function failureKind(verdict: Verdict): FailureKind | undefined {
  if (verdict.decision !== 'fail' || verdict.outcome === 'cancelled') return undefined;
  if (verdict.gates) {
    const kinds = verdict.gates.entries.flatMap((entry) =>
      entry.ran && entry.verdict ? [failureKind(entry.verdict)] : [],
    );
    return !kinds.includes('regression') && kinds.includes('could not evaluate')
      ? 'could not evaluate'
      : 'regression';
  }
  if (verdict.shards) {
    const failed = verdict.shards.filter((shard) => shard.decision === 'fail');
    // A row without a kind is a shard whose report the aggregate did not take as it was.
    const outage =
      !brokeMeasured(verdict) &&
      failed.length > 0 &&
      failed.every((shard) => shard.failure === 'could not evaluate');
    return outage ? 'could not evaluate' : 'regression';
  }
  const left = errorsLeft(verdict.attempts);
  const outage =
    verdict.outcome === 'error' &&
    left.length > 0 &&
    left.every((error) => error.kind === 'unevaluated') &&
    !brokeMeasured(verdict);
  return outage ? 'could not evaluate' : 'regression';
}

/** Whether a threshold that fails the gate breaks on a figure that was measured. */
function brokeMeasured(verdict: Verdict): boolean {
  return verdict.thresholds.some((t) => !t.holds && t.breaks === 'fail' && t.actual !== undefined);
}

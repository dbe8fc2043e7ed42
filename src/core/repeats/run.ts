import { CancelledError } from '../support/cancel.js';
import { messageOf } from '../support/errors.js';
import { decide, type Verdict } from '../verdict/verdict.js';
import type { RepeatRow } from './types.js';
import type { Outcome, RepeatPolicy, RepeatRun } from './run-types.js';
import { closedFailure, judgeRepeats, sequentialStates } from './judge.js';

export type { RepeatPolicy, RepeatRun };
export { DEFAULT_RATE_MARGIN } from './run-types.js';

/** Repeats started at once, at most: a backend is not sent twenty runs in the same instant. */
export const MAX_CONCURRENT_REPEATS = 5;

/**
 * Runs the evaluation several times and judges the pooled figures (contract section 8). Fixed
 * `repeats: N` starts them together, a bounded number at once; `auto` starts `min_repeats`, then
 * adds one repeat a round until a sequential test decides every threshold, up to `max_repeats`
 * and within `timeout`, where the pooled figure decides and the verdict says so. A repeat that
 * could not run, or that the backend failed for a reason no threshold explains, fails the gate
 * closed, naming it. Never throws but for a cancelled job.
 */
export async function runRepeats(run: RepeatRun): Promise<Verdict> {
  const { policy, deadline } = run;
  const outcomes: Outcome[] = [];
  let next = 1;
  const start = async (count: number) => {
    const indices = Array.from({ length: count }, () => next++);
    outcomes.push(
      ...(await mapBounded(indices, MAX_CONCURRENT_REPEATS, (index) => runOne(run, index))),
    );
  };
  if (policy.repeats !== 'auto') {
    run.log.info(
      `Running the evaluation ${policy.repeats} times, ${Math.min(policy.repeats, MAX_CONCURRENT_REPEATS)} at once.`,
    );
    await start(policy.repeats);
    return judgeRepeats(run, outcomes, {
      mode: 'fixed',
      stopped: `all ${policy.repeats} repeats ran`,
    });
  }
  run.log.info(
    `Repeats: auto, from ${policy.minRepeats} to ${policy.maxRepeats} runs, until a sequential test decides every threshold.`,
  );
  await start(policy.minRepeats);
  for (;;) {
    const broken = closedFailure(outcomes, run.backend);
    const sequential = sequentialStates(run, outcomes);
    if (broken)
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: 'a repeat failed closed',
        sequential,
      });
    if (sequential.every((s) => s.call !== 'undecided')) {
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: `the sequential test decided every threshold after ${outcomes.length} repeat${outcomes.length === 1 ? '' : 's'}`,
        sequential,
      });
    }
    // Another round must fit in what is left of `timeout`: as long as the slowest repeat so far took.
    const slowest = Math.max(...outcomes.map((o) => o.durationMs));
    const budget =
      outcomes.length >= policy.maxRepeats
        ? `max_repeats (${policy.maxRepeats})`
        : deadline.remainingMs() < slowest * 1.5
          ? 'timeout'
          : undefined;
    if (budget) {
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: `the budget (${budget}) came before the sequential test decided; the pooled figures decide`,
        sequential,
        decidedAtBudget: true,
      });
    }
    run.log.info(
      `After ${outcomes.length} repeat${outcomes.length === 1 ? '' : 's'}: ${sequential
        .filter((s) => s.call === 'undecided')
        .map((s) => `\`${s.input}\` undecided`)
        .join(', ')}; adding a repeat.`,
    );
    await start(1);
  }
}

/** Runs repeat `index` to a verdict of its own; a repeat that cannot run is an error row, never an exception (but for a cancel). */
async function runOne(run: RepeatRun, index: number): Promise<Outcome> {
  const context = run.contextFor(index);
  const began = run.deadline.elapsedMs();
  try {
    const evaluation = await Promise.race([run.stopped, run.prepared.run(context)]);
    const verdict = decide(run.backend, evaluation, run.deadline.elapsedMs() - began);
    return {
      row: rowOf(index, verdict),
      verdict,
      evaluation,
      context,
      durationMs: run.deadline.elapsedMs() - began,
    };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const reason = messageOf(error);
    const verdict: Verdict = {
      decision: 'fail',
      reason,
      outcome: 'error',
      backend: run.backend.displayName,
      ids: {},
      figures: {},
      thresholds: [],
      topFailingTools: [],
      durationMs: 0,
    };
    return {
      row: { ...rowOf(index, verdict), outcome: 'error' },
      verdict,
      context,
      durationMs: run.deadline.elapsedMs() - began,
    };
  }
}

function rowOf(index: number, verdict: Verdict): RepeatRow {
  return {
    index,
    decision: verdict.decision,
    outcome: verdict.outcome,
    reason: verdict.reason,
    figures: verdict.figures,
    ...(verdict.ids.run_id ? { runId: verdict.ids.run_id } : {}),
    ...(verdict.dashboardUrl ? { dashboardUrl: verdict.dashboardUrl } : {}),
    failingTools: verdict.topFailingTools.map((t) => t.tool),
  };
}

/** Maps `items` with at most `limit` at once, keeping their order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let cursor = 0;
  const worker = async () => {
    while (cursor < items.length) {
      const at = cursor++;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

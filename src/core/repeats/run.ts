import { runWithRetries } from '../retry/attempt.js';
import type { Verdict } from '../verdict/verdict.js';
import type { RepeatRow } from './types.js';
import type { Outcome, RepeatPolicy, RepeatRun } from './run-types.js';
import { closedFailure } from './closed.js';
import { judgeRepeats, sequentialStates } from './judge.js';

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
  const { policy, budget } = run;
  const outcomes: Outcome[] = [];
  let next = 1;
  // Each repeat claims its start from the budget (`max_runs`); its retries claim theirs as they come.
  const start = async (count: number) => {
    const indices: number[] = [];
    while (indices.length < count && budget.claim()) indices.push(next++);
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
    const sequential = sequentialStates(run, outcomes);
    const evaluated = outcomes.filter((o) => o.row.outcome === 'evaluated').length;
    // Before any repeat has a verdict the test has seen nothing: it is undecided.
    const undecided = evaluated === 0 || sequential.some((s) => s.call === 'undecided');
    const bound = budgetBound(run, outcomes);
    // A repeat without a verdict after its retries is no sample: while the test still wants one,
    // the next round's repeat takes its place, within the same bounds (contract section 10).
    // `retry_errors: 0` says no run is started in place of one that errored: none is.
    const replaced =
      undecided && !bound && budget.retryErrors > 0 ? replaceable(run, outcomes) : undefined;
    // Another repeat that fails the gate closed ends it at once, replaced one or not.
    const others = outcomes.filter((o) => o !== replaced);
    const broken = closedFailure(others, run.backend, budget.summary().errors);
    if (broken)
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: 'a repeat failed closed',
        sequential,
      });
    if (replaced) {
      replaced.row.replacedBy = next;
      budget.markReplaced(`repeat ${replaced.row.index}`, `repeat ${next}`);
      run.log.info(
        `Repeat ${replaced.row.index} has no verdict after its retries: repeat ${next} takes its place, since the sequential test is undecided.`,
      );
      await start(1);
      continue;
    }
    if (!undecided) {
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: `the sequential test decided every threshold after ${evaluated} repeat${evaluated === 1 ? '' : 's'}`,
        sequential,
      });
    }
    if (bound) {
      return judgeRepeats(run, outcomes, {
        mode: 'auto',
        stopped: `the budget (${bound}) came before the sequential test decided; the pooled figures decide`,
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

/** The bound that keeps `auto` from another round, in the words the verdict says it with, or undefined. */
function budgetBound(run: RepeatRun, outcomes: Outcome[]): string | undefined {
  const { policy, budget, deadline } = run;
  // Another round must fit in what is left of `timeout`: as long as the slowest repeat so far took.
  const slowest = Math.max(...outcomes.map((o) => o.durationMs));
  return outcomes.length >= policy.maxRepeats
    ? `\`max_repeats: ${policy.maxRepeats}\``
    : !budget.canStart
      ? `\`max_runs: ${budget.maxRuns}\``
      : deadline.remainingMs() < slowest * 1.5
        ? 'timeout'
        : undefined;
}

/**
 * The first repeat a new one may replace: one the backend left without a verdict (it did not
 * evaluate: failed, short of coverage, unreachable, out of time) once its retries were spent.
 * Never one the gate refused (an answer it cannot trust fails closed), nor a cancelled one.
 */
function replaceable(run: RepeatRun, outcomes: Outcome[]): Outcome | undefined {
  const errors = run.budget.summary().errors;
  return outcomes.find((o) => {
    if (o.row.outcome !== 'error' || o.row.replacedBy !== undefined) return false;
    const left = errors.filter((e) => e.run === `repeat ${o.row.index}` && !e.retried);
    return left.length > 0 && left.every((e) => e.kind === 'unevaluated');
  });
}

/** Runs repeat `index` to a verdict of its own, started again after an error as the budget allows; never throws but for a cancel. */
async function runOne(run: RepeatRun, index: number): Promise<Outcome> {
  const attempt = await runWithRetries(run, run.budget, `repeat ${index}`, run.contextsFor(index));
  const row = rowOf(index, attempt.verdict);
  return { ...attempt, row };
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

import { aggregateReports } from '../aggregate/index.js';
import { compareWithBaseBranch } from '../baseline/history.js';
import { comparableRunId, runGate } from '../gate/gate.js';
import { trendLogLine } from '../render/trend.js';
import { runManyGates } from '../gates/run.js';
import { GATES_BACKEND } from '../gates/combine.js';
import { messageOf } from '../support/errors.js';
import { Deadline } from '../support/deadline.js';
import { redactSecrets } from '../support/secrets.js';
import { failedVerdict, type Verdict } from '../verdict/verdict.js';
import type { BaseBranchSources, Door, Reporters } from './ports.js';
import type { RunPlan } from './plan.js';
import { CANCEL_REPORT_MS, reportingGraceMs } from './timing.js';

/**
 * One run of the gate, either door's: start the reporters → evaluate → compare with the base
 * branch → publish. Returns the verdict published. Never throws for what the backend does:
 * a failed call, the timeout or a cancelled job is a `fail` verdict that says why.
 */
export async function runPipeline<R extends Reporters>(
  plan: RunPlan,
  door: Door<R>,
): Promise<Verdict> {
  // Every reporting call shares one budget; a cancelled job cuts it to seconds.
  const budget = new Deadline(plan.timeoutMs + reportingGraceMs(plan.timeoutMs));
  void door.cancelled.then(() => budget.shorten(CANCEL_REPORT_MS));
  // The check starts, and the comment, the base verdict and the history are looked up, while the backend works.
  const reporters = door.startReporters(plan, budget);
  const verdict =
    plan.evaluation.kind === 'gates'
      ? await runManyGates(plan, plan.evaluation.gates, door, reporters).catch((error: unknown) =>
          // Each entry's errors are its own verdict; should the step's own work throw, the check still completes, failed.
          failedVerdict(
            GATES_BACKEND,
            `The gates stopped unexpectedly: ${messageOf(error)}.`,
            {},
            0,
          ),
        )
      : await evaluateAndCompare(plan, door, reporters);
  // A log renders no chart: the trend is a sparkline there.
  const trend = trendLogLine(verdict);
  if (trend) door.log.info(trend);
  await door.publish(verdict, plan, reporters);
  return verdict;
}

/** One gate, or the shards' reports pooled: evaluated, then compared with the base branch. */
async function evaluateAndCompare<R extends Reporters>(
  plan: RunPlan,
  door: Door<R>,
  reporters: R,
): Promise<Verdict> {
  const evaluated = redactSecrets(await evaluate(plan, door, reporters), door.secrets);
  const sources = door.baseBranch(plan, reporters, evaluated);
  return sources ? compare(evaluated, plan, sources) : evaluated;
}

function evaluate<R extends Reporters>(
  plan: RunPlan,
  door: Door<R>,
  reporters: R,
): Promise<Verdict> {
  const { evaluation } = plan;
  if (evaluation.kind === 'gates') throw new Error('unreachable: many gates run on their own');
  if (evaluation.kind === 'aggregate') return aggregateReports(evaluation.aggregate, door.log);
  return runGate(evaluation.gate, {
    log: door.log,
    cancelled: door.cancelled,
    agents: door.agents,
    // A backend that compares against the base branch's run gets that of the record the comparison will use.
    baselineRunId: async () => {
      const [base, history] = await Promise.all([reporters.baseline, reporters.history]);
      return comparableRunId(
        evaluation.gate,
        { base, ...(history ? { history: history.slice(0, plan.policy.history) } : {}) },
        plan.policy.from,
        door.log,
      );
    },
  });
}

/** The verdict judged against its base branch, from what the door's sources found. */
async function compare(
  verdict: Verdict,
  plan: RunPlan,
  sources: BaseBranchSources,
): Promise<Verdict> {
  const [base, history] = await Promise.all([sources.base, sources.history]);
  if (!sources.always && !base && !history && plan.policy.drops.length === 0) return verdict;
  return compareWithBaseBranch(
    verdict,
    {
      base: base ?? { missing: sources.missing },
      ...(history
        ? {
            history: {
              entries: history.entries,
              asked: plan.policy.history,
              ...(history.notes ? { notes: history.notes } : {}),
            },
          }
        : {}),
    },
    plan.policy,
  );
}

import { type AggregatePlan } from '../aggregate/index.js';
import { planAggregate } from '../aggregate/plan.js';
import type { ChangeContext } from '../backends/types.js';
import type { BaseBranchPolicy } from '../baseline/history.js';
import { type GatePlan, planGate } from '../gate/plan.js';
import type { Mode } from '../inputs/common.js';
import type { RawInputs } from '../inputs/fields.js';
import type { ReportSubject } from '../report-file/write.js';
import { InputError, messageOf } from '../support/errors.js';

/** What one run evaluates: a gate (alone, or one shard of a matrix), or the shards' reports pooled. */
export type Evaluation =
  { kind: 'gate'; gate: GatePlan } | { kind: 'aggregate'; aggregate: AggregatePlan };

/**
 * One run of the gate, planned from valid inputs, the same for both doors: what it evaluates,
 * under which check name and mode, how it compares with the base branch, and what its reports
 * are about. A door adds only where its reporters write.
 */
export interface RunPlan {
  evaluation: Evaluation;
  checkName: string;
  mode: Mode;
  timeoutMs: number;
  /** The drop thresholds, what they compare with, and how much of the base branch is read. */
  policy: BaseBranchPolicy;
  /** What the report file, the check and the comment are about. */
  subject: ReportSubject;
  /** The pull (or merge) request the comment goes on, when there is one. */
  pullRequestNumber?: number;
  /** `head_sha` when the user gave it: the check goes there, whatever a pull request's head. */
  headShaInput?: string;
  /** The matrix leg this gate is (`shard`): it reports nothing; the aggregate reports for all. */
  shard?: string;
}

/** What a door knows of where it runs, beside the inputs. */
export interface RunContext {
  /** The change being gated, as the door read it from its CI. */
  change: ChangeContext;
  /** `check_name` (`--check-name`), when the user gave one; otherwise the backend's default. */
  checkName?: string;
  /** The folder the aggregate's glob is relative to. */
  cwd: string;
}

/**
 * Validates every input of the run and reads local files; throws one {@link InputError} with
 * every problem before any network call. `aggregate` makes it a pooling of the shards' reports.
 */
export async function planRun(raw: RawInputs, context: RunContext): Promise<RunPlan> {
  return raw.aggregate?.trim() ? planPooling(raw, context) : planOneGate(raw, context);
}

async function planOneGate(raw: RawInputs, context: RunContext): Promise<RunPlan> {
  const gate = await planGate(raw, context.change);
  const { inputs } = gate;
  const checkName = context.checkName ?? gate.backend.defaultCheckName;
  return {
    evaluation: { kind: 'gate', gate },
    checkName,
    mode: inputs.mode,
    timeoutMs: inputs.timeoutMs,
    policy: {
      drops: gate.drops,
      onMissing: inputs.on_missing_baseline,
      ...(inputs.confidence === undefined ? {} : { confidence: inputs.confidence }),
      onInconclusive: inputs.on_inconclusive,
      from: inputs.baseline_from,
      history: inputs.history,
    },
    subject: {
      checkName,
      repository: gate.change.repository,
      ...(gate.change.commitSha ? { headSha: gate.change.commitSha } : {}),
      ...(inputs.shard ? { shard: inputs.shard } : {}),
    },
    ...(gate.change.pullRequestNumber ? { pullRequestNumber: gate.change.pullRequestNumber } : {}),
    ...(inputs.head_sha ? { headShaInput: inputs.head_sha } : {}),
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  };
}

function planPooling(raw: RawInputs, context: RunContext): RunPlan {
  const { change } = context;
  let planned: ReturnType<typeof planAggregate>;
  try {
    planned = planAggregate(raw, {
      ...(context.checkName ? { checkName: context.checkName } : {}),
      ...(change.commitSha ? { headSha: change.commitSha } : {}),
      ...(change.pullRequestNumber ? { pullRequestNumber: change.pullRequestNumber } : {}),
      cwd: context.cwd,
    });
  } catch (error) {
    throw error instanceof InputError ? error : new InputError(messageOf(error));
  }
  const { plan } = planned;
  return {
    evaluation: { kind: 'aggregate', aggregate: plan },
    checkName: plan.checkName,
    mode: planned.mode,
    timeoutMs: planned.timeoutMs,
    // The pooled verdict is compared with the base commit's, as a single gate's is.
    policy: {
      drops: planned.drops,
      onMissing: planned.onMissingBaseline,
      from: planned.baselineFrom,
      history: planned.history,
    },
    subject: {
      checkName: plan.checkName,
      repository: change.repository,
      ...(planned.headSha ? { headSha: planned.headSha } : {}),
    },
    ...(planned.pullRequestNumber ? { pullRequestNumber: planned.pullRequestNumber } : {}),
    ...(raw.head_sha?.trim() && planned.headSha ? { headShaInput: planned.headSha } : {}),
  };
}

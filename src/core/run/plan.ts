import { type AggregatePlan } from '../aggregate/index.js';
import { planAggregate } from '../aggregate/plan.js';
import type { ChangeContext } from '../backends/types.js';
import type { BaseBranchPolicy } from '../baseline/history.js';
import { type GatePlan, planGate } from '../gate/plan.js';
import type { Mode } from '../inputs/common.js';
import type { RawInputs } from '../inputs/fields.js';
import type { ReportSubject } from '../report-file/write.js';
import { InputError, messageOf } from '../support/errors.js';
import { GATE_INPUTS } from '../backends/vocabulary.js';
import type { ConfigWords } from '../gates/words.js';
import { type GatesPlan, planGates, policyOf } from '../gates/plan.js';
import { CHANGED_FILES_MAX_MS } from './timing.js';
import type { StepDefinition } from '../gates/select.js';

/** The check's name for many gates in one step, when `check_name` is not given. */
export const GATES_CHECK_NAME = 'Reliability gates';

/** What one run evaluates: a gate (alone, or one shard of a matrix), or the shards' reports pooled. */
export type Evaluation =
  | { kind: 'gate'; gate: GatePlan }
  | { kind: 'aggregate'; aggregate: AggregatePlan }
  | { kind: 'gates'; gates: GatesPlan };

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
  /** Credentials read while planning (a config entry's `token_env`): masked and redacted like `token`. */
  secrets?: readonly string[];
}

/** What a door knows of where it runs, beside the inputs. */
export interface RunContext {
  /** The change being gated, as the door read it from its CI. */
  change: ChangeContext;
  /** `check_name` (`--check-name`), when the user gave one; otherwise the backend's default. */
  checkName?: string;
  /** The folder the aggregate's glob and the config file are relative to. */
  cwd: string;
  /** An environment variable of the step, by name (a config entry's `token_env`); none: no entry may name one. */
  variable?: (name: string) => string | undefined;
  /** What runs the step, beside the config file (`stepFilesOf`): a change to it runs every entry. */
  stepFiles?: readonly StepDefinition[];
  /** The door's advice on the config file (`config`): the action's by default. */
  configWords?: ConfigWords;
}

/**
 * Validates every input of the run and reads local files; throws one {@link InputError} with
 * every problem before any network call. `aggregate` makes it a pooling of the shards' reports.
 */
export async function planRun(raw: RawInputs, context: RunContext): Promise<RunPlan> {
  if (manyGates(raw)) return planManyGates(raw, context);
  const planned = raw.aggregate?.trim() ? planPooling(raw, context) : planOneGate(raw, context);
  if (!raw.config?.trim()) return planned;
  // `config` with `shard` or `aggregate` is the problem: what one gate would lack (a campaign) is not.
  return Promise.resolve(planned).catch((error: unknown) => {
    if (!(error instanceof InputError)) throw error;
    const set = new Set(Object.keys(raw).filter((name) => raw[name]?.trim()));
    throw new InputError(
      error.problems.filter(
        (problem) =>
          problem.includes('`config`') || set.has(/^Input `([a-z_]+)`/.exec(problem)?.[1] ?? ''),
      ),
    );
  });
}

/** Whether the inputs ask for many gates in one step (`config`, without `shard` or `aggregate`, which refuse it). */
export const manyGates = (raw: RawInputs): boolean =>
  Boolean(raw.config?.trim() && !raw.aggregate?.trim() && !raw.shard?.trim());

/** Many gates in one step: every entry of the config file planned, one check for all. */
async function planManyGates(raw: RawInputs, context: RunContext): Promise<RunPlan> {
  const { plan, secrets } = await planGates(raw, {
    change: context.change,
    cwd: context.cwd,
    variable: context.variable ?? (() => undefined),
    stepFiles: context.stepFiles ?? [],
    inputNames: GATE_INPUTS.map((input) => input.name),
    ...(context.configWords ? { words: context.configWords } : {}),
  });
  // The step's own inputs are every entry's: its mode, commit and pull request are the first's.
  const first = plan.entries[0];
  if (!first) throw new Error('unreachable: a config file holds one entry at least');
  const checkName = context.checkName ?? GATES_CHECK_NAME;
  const { change, inputs } = first.gate;
  return {
    evaluation: { kind: 'gates', gates: plan },
    checkName,
    mode: inputs.mode,
    // The changed files are read first, then the entries run `atOnce` at a time, each within its timeout.
    timeoutMs:
      CHANGED_FILES_MAX_MS +
      Math.max(...plan.entries.map((entry) => entry.gate.inputs.timeoutMs)) *
        Math.ceil(plan.entries.length / plan.atOnce),
    // Each entry compares on its own; the reporters read as much history as the most asked for.
    policy: {
      drops: [],
      onMissing: inputs.on_missing_baseline,
      onInconclusive: inputs.on_inconclusive,
      from: 'base',
      history: Math.max(...plan.entries.map((entry) => entry.policy.history)),
    },
    subject: {
      checkName,
      repository: change.repository,
      ...(change.commitSha ? { headSha: change.commitSha } : {}),
    },
    ...(change.pullRequestNumber ? { pullRequestNumber: change.pullRequestNumber } : {}),
    ...(inputs.head_sha ? { headShaInput: inputs.head_sha } : {}),
    secrets,
  };
}

async function planOneGate(raw: RawInputs, context: RunContext): Promise<RunPlan> {
  const gate = await planGate(raw, context.change, context.cwd);
  const { inputs } = gate;
  const checkName = context.checkName ?? gate.backend.defaultCheckName;
  return {
    evaluation: { kind: 'gate', gate },
    checkName,
    mode: inputs.mode,
    timeoutMs: inputs.timeoutMs,
    policy: policyOf(gate),
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

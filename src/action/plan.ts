import type { AggregatePlan } from '../core/aggregate/index.js';
import { planAggregate } from '../core/aggregate/plan.js';
import type { BaseBranchPolicy } from '../core/history.js';
import type { z } from 'zod';
import { BACKEND_IDS, backendById } from '../core/backends/registry.js';
import { changeOf, readEventPayload, readTarget } from '../core/change/github.js';
import { InputError } from '../core/errors.js';
import { type GatePlan, planGate } from '../core/gate.js';
import { commonSchema } from '../core/inputs/common.js';
import type { RawInputs } from '../core/inputs/fields.js';
import { GitHubInputs } from '../core/inputs/github.js';
import type { ReportSubject } from '../core/render/report.js';
import type { GitHubPlace } from '../report/github/report.js';
import { parseGitHubInputs, undeclaredInputProblems } from './inputs.js';

/**
 * What the action was asked to do: gate the change (alone, or as one shard of a matrix), or
 * aggregate the shards' reports into one verdict; where it reports on GitHub; what its
 * report file is about.
 */
export type ActionPlan = (
  { kind: 'gate'; gate: GatePlan } | { kind: 'aggregate'; aggregate: AggregatePlan }
) & {
  /** How to compare with the base branch, when there is one to compare with. */
  baseline?: BaseBranchPolicy;
  github: GitHubPlace;
  subject: ReportSubject;
  timeoutMs: number;
};

const FORK_WITHOUT_SECRET =
  'Input `token` is empty: this pull request comes from a fork, and GitHub gives fork workflows no secrets. ' +
  'Gate fork pull requests from a `workflow_run` workflow that runs in the base repository (see examples/workflows/fork-safe-gate.yml).';

/**
 * Reads the event the workflow runs on and validates every input, the gate's and GitHub
 * reporting's, and refuses every `with:` key the action does not declare (`undeclared`);
 * throws one {@link InputError} with every problem, before any network call.
 */
export async function planAction(
  raw: RawInputs,
  env: NodeJS.ProcessEnv,
  undeclared: readonly string[] = [],
): Promise<ActionPlan> {
  const typos = undeclaredInputProblems(undeclared);
  if (typos.length === 0) return planDeclared(raw, env);
  // The typos, and whatever else is wrong with the declared inputs, in one error.
  const planned = await planDeclared(raw, env).catch((error: unknown) => error);
  throw InputError.combine([new InputError(typos), ...(planned instanceof Error ? [planned] : [])]);
}

async function planDeclared(raw: RawInputs, env: NodeJS.ProcessEnv): Promise<ActionPlan> {
  const target = readTarget(env.GITHUB_EVENT_NAME ?? '', readEventPayload(env), env);
  if (raw.aggregate?.trim()) return planAggregateStep(raw, parseGitHubInputs(raw), target, env);
  if (!raw.token?.trim() && target.fromFork) throw new InputError(FORK_WITHOUT_SECRET);
  // The gate's and GitHub reporting's problems, all at once.
  const [reported, planned] = await Promise.allSettled([
    Promise.resolve().then(() => parseGitHubInputs(raw)),
    planGate(raw, changeOf(target)),
  ]);
  if (reported.status === 'rejected' || planned.status === 'rejected') {
    throw InputError.combine(
      [reported, planned].flatMap((result) =>
        result.status === 'rejected' ? [result.reason] : [],
      ),
    );
  }
  const reporting = reported.value;
  const gate = planned.value;
  const checkName = reporting.check_name ?? gate.backend.defaultCheckName;
  const { shard } = gate.inputs;
  // The base branch's verdict is read back on pull requests and merge queues, never for a shard.
  const found = baselineOf(
    reporting,
    {
      drops: gate.drops,
      onMissing: gate.inputs.on_missing_baseline,
      from: gate.inputs.baseline_from,
      history: gate.inputs.history,
    },
    shard ? undefined : target.baseSha,
  );
  const baselineSha = found.baselineSha;
  const baseline = found.baseline && {
    ...found.baseline,
    ...(gate.inputs.confidence === undefined ? {} : { confidence: gate.inputs.confidence }),
    onInconclusive: gate.inputs.on_inconclusive,
  };
  return {
    kind: 'gate',
    gate,
    ...(baseline ? { baseline } : {}),
    timeoutMs: gate.inputs.timeoutMs,
    // A shard posts nothing on GitHub: the aggregate step reports for all the legs.
    github: {
      ...place(reporting, target, {
        checkName,
        mode: gate.inputs.mode,
        headSha: gate.change.commitSha,
        pullRequestNumber: gate.change.pullRequestNumber,
        off: shard !== undefined,
      }),
      ...(baselineSha ? { baselineSha, historyCount: gate.inputs.history } : {}),
    },
    subject: {
      checkName,
      repository: target.repository,
      headSha: gate.change.commitSha,
      ...(shard ? { shard } : {}),
    },
  };
}

function place(
  reporting: GitHubInputs,
  target: ReturnType<typeof readTarget>,
  more: Pick<GitHubPlace, 'checkName' | 'mode' | 'headSha' | 'pullRequestNumber'> & {
    off: boolean;
  },
): GitHubPlace {
  const { off, ...rest } = more;
  return {
    ...target,
    ...rest,
    token: reporting.github_token,
    comment: reporting.comment,
    reportsElsewhere: off,
  };
}

/** The comparison with the base commit `baseSha`, when `baseline` is on; drop inputs belong to the backends that declare them. */
function baselineOf(
  reporting: GitHubInputs,
  policy: BaseBranchPolicy,
  baseSha: string | undefined,
): { baselineSha?: string; baseline?: BaseBranchPolicy } {
  if (reporting.baseline !== 'auto' || !baseSha) return {};
  return { baselineSha: baseSha, baseline: policy };
}

/** An aggregate step: no backend call, no token; its own thresholds are checked on the pooled figures. */
function planAggregateStep(
  raw: RawInputs,
  reporting: GitHubInputs,
  target: ReturnType<typeof readTarget>,
  env: NodeJS.ProcessEnv,
): ActionPlan {
  const planned = planAggregate(raw, {
    ...(reporting.check_name ? { checkName: reporting.check_name } : {}),
    ...(target.headSha ? { headSha: target.headSha } : {}),
    ...(target.pullRequestNumber ? { pullRequestNumber: target.pullRequestNumber } : {}),
    cwd: env.GITHUB_WORKSPACE || process.cwd(),
  });
  const { checkName, headSha } = planned.plan;
  // The pooled verdict is compared with the base commit's, as a single gate's is.
  const { baselineSha, baseline } = baselineOf(
    reporting,
    {
      drops: planned.drops,
      onMissing: planned.onMissingBaseline,
      from: planned.baselineFrom,
      history: planned.history,
    },
    target.baseSha,
  );
  return {
    kind: 'aggregate',
    ...(baseline ? { baseline } : {}),
    aggregate: planned.plan,
    timeoutMs: planned.timeoutMs,
    github: {
      ...place(reporting, target, {
        checkName,
        mode: planned.mode,
        headSha,
        pullRequestNumber: planned.pullRequestNumber,
        off: false,
      }),
      ...(baselineSha ? { baselineSha, historyCount: planned.history } : {}),
    },
    subject: { checkName, repository: target.repository, ...(headSha ? { headSha } : {}) },
  };
}

/**
 * Where to report an input error on GitHub, read leniently from inputs that may themselves be
 * wrong: a required check must not wait forever for a gate that could not start. Each value is
 * used only when it is valid (a header-safe token, a full commit SHA); otherwise the event's.
 */
export function inputErrorPlace(raw: RawInputs, env: NodeJS.ProcessEnv): GitHubPlace {
  const target = readTarget(env.GITHUB_EVENT_NAME ?? '', readEventPayload(env), env);
  // Each input through its own declared schema, alone: a valid one is used, an invalid one falls back.
  const valid = <T>(schema: z.ZodType<T>, name: string): T | undefined => {
    const parsed = schema.safeParse(raw[name] ?? '');
    return parsed.success ? parsed.data : undefined;
  };
  const common = commonSchema(BACKEND_IDS).shape;
  const reporting = GitHubInputs.shape;
  const backend = backendById(valid(common.backend, 'backend') ?? BACKEND_IDS[0]);
  return {
    ...target,
    token: valid(reporting.github_token, 'github_token'),
    checkName: valid(reporting.check_name, 'check_name') ?? backend.defaultCheckName,
    mode: 'hard',
    headSha: valid(common.head_sha, 'head_sha') ?? target.headSha,
    pullRequestNumber:
      valid(common.pull_request_number, 'pull_request_number') ?? target.pullRequestNumber,
    comment: valid(reporting.comment, 'comment') ?? true,
    // A matrix leg reports through its aggregate step, which fails on the leg's missing report.
    reportsElsewhere: Boolean(valid(common.shard, 'shard')) && !raw.aggregate?.trim(),
  };
}

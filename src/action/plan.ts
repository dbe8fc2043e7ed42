import type { z } from 'zod';
import { BACKEND_IDS, BACKENDS, backendById } from '../core/backends/registry.js';
import {
  changeOf,
  type GateTarget,
  readEvent,
  readEventPayload,
  readTarget,
} from '../core/change/github.js';
import { InputError } from '../core/support/errors.js';
import { stepFilesOf } from '../core/change/step-files.js';
import { commonSchema } from '../core/inputs/common.js';
import type { RawInputs } from '../core/inputs/fields.js';
import { GitHubInputs } from '../report/github/inputs.js';
import { GATES_CHECK_NAME, manyGates, planRun, type RunPlan } from '../core/run/plan.js';
import type { GitHubPlace } from '../report/github/report.js';
import { actionPlace } from '../report/github/reporters.js';
import type { ChangePlace } from '../report/github/changed-files.js';
import { parseGitHubInputs, undeclaredInputProblems } from './inputs.js';

/** What the action was asked to do: the core's plan of the run, and where it reports on GitHub. */
export interface ActionPlan {
  run: RunPlan;
  github: GitHubPlace;
  /** Whether the verdict is compared with the base commit's (`baseline: auto` on a pull request, a merge queue, or a pull request's `workflow_run`). */
  compareWithBase: boolean;
  /** Where the change's files are read, for many gates (`config`). */
  change: ChangePlace;
}

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
  const event = readEvent(env);
  const target = readTarget(env.GITHUB_EVENT_NAME ?? '', event.payload, env);
  const pooling = Boolean(raw.aggregate?.trim());
  // A backend that reads a file the workflow wrote needs no secret, on a fork too.
  const chosen = BACKENDS.find(
    (b) => b.id === (raw.backend?.trim().toLowerCase() || BACKEND_IDS[0]),
  );
  const needsSecret = chosen?.evaluates.kind !== 'reads';
  if (!pooling && needsSecret && !raw.token?.trim() && target.fromFork)
    throw new InputError(FORK_WITHOUT_SECRET);
  // The gate's and GitHub reporting's problems, all at once.
  const reported = (() => {
    try {
      return parseGitHubInputs(raw);
    } catch (error) {
      return error as Error;
    }
  })();
  const planned = await planRun(raw, {
    change: changeOf(target),
    ...(reported instanceof Error || !reported.check_name
      ? {}
      : { checkName: reported.check_name }),
    cwd: env.GITHUB_WORKSPACE || process.cwd(),
    variable: (name) => env[name],
    stepFiles: stepFilesOf(env),
  }).catch((error: unknown) => error as Error);
  const unread = event.problem ? new InputError([event.problem]) : undefined;
  if (reported instanceof Error || planned instanceof Error || unread)
    throw InputError.combine(
      [unread, reported, planned].filter((r): r is Error => r instanceof Error),
    );
  // The base branch's verdict is read back on pull requests, merge queues and a pull request's
  // workflow_run hand-over, never for a shard.
  const compareWithBase =
    reported.baseline === 'auto' &&
    (Boolean(target.baseSha) ||
      handsOverAChange(env.GITHUB_EVENT_NAME, target, planned.pullRequestNumber)) &&
    planned.shard === undefined;
  return {
    run: planned,
    github: actionPlace(planned, target, reported, compareWithBase),
    compareWithBase,
    change: {
      eventName: env.GITHUB_EVENT_NAME ?? '',
      ...(reported.github_token ? { token: reported.github_token } : {}),
      apiUrl: target.apiUrl,
      repository: target.repository,
      ...(target.pullRequestNumber ? { pullRequestNumber: target.pullRequestNumber } : {}),
      ...(target.baseSha ? { baseSha: target.baseSha } : {}),
      ...(target.headSha ? { headSha: target.headSha } : {}),
    },
  };
}

/** Events whose runs gate a change under review: their base is the base branch's verdict. */
const REVIEWED_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'merge_group',
]);

/**
 * On `workflow_run`: whether the triggering run built a change to compare with its base (the
 * base of the pull request whose head it built, read from GitHub when the gate starts). It did
 * when a pull request is named (the event's, or `pull_request_number` handed over), or when it
 * ran on a pull request (or merge queue) event, or GitHub did not say on which: then a base that
 * cannot be established is a missing baseline, never no comparison. A run of a `push` (to the
 * default branch, say), `schedule` or `workflow_dispatch` with no pull request is a base-branch
 * run, as `push` is: its check is the record later changes compare with, and it compares with
 * nothing.
 */
function handsOverAChange(
  eventName: string | undefined,
  target: GateTarget,
  pullRequestNumber: number | undefined,
): boolean {
  if (eventName !== 'workflow_run') return false;
  if (pullRequestNumber !== undefined) return true;
  return target.workflowRunEvent === undefined || REVIEWED_EVENTS.has(target.workflowRunEvent);
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
  const common = commonSchema(BACKENDS).shape;
  const reporting = GitHubInputs.shape;
  const backend = backendById(valid(common.backend, 'backend') ?? BACKEND_IDS[0]);
  return {
    ...target,
    token: valid(reporting.github_token, 'github_token'),
    checkName:
      valid(reporting.check_name, 'check_name') ??
      (manyGates(raw) ? GATES_CHECK_NAME : backend.defaultCheckName),
    mode: 'hard',
    headSha: valid(common.head_sha, 'head_sha') ?? target.headSha,
    pullRequestNumber:
      valid(common.pull_request_number, 'pull_request_number') ?? target.pullRequestNumber,
    comment: valid(reporting.comment, 'comment') ?? true,
    // A matrix leg reports through its aggregate step, which fails on the leg's missing report.
    reportsElsewhere: Boolean(valid(common.shard, 'shard')) && !raw.aggregate?.trim(),
  };
}

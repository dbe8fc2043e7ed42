import type { z } from 'zod';
import { BACKENDS, backendById, rejectForeignInputs } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { InputError } from '../support/errors.js';
import { commonSchema, type Mode } from '../inputs/common.js';
import { declaredInputs } from '../inputs/declare.js';
import type { RawInputs } from '../inputs/fields.js';
import type { Threshold } from '../verdict/verdict.js';
import type { AggregatePlan } from './index.js';
import { type BaselinePolicy, dropsOf } from '../baseline/compare.js';

/** The shared inputs an aggregate reads; any other input a gate reads is refused (it would do nothing). */
const READ = [
  'backend',
  'mode',
  'timeout',
  'shard',
  'head_sha',
  'pull_request_number',
  'on_missing_baseline',
  'history',
  'baseline_from',
  'aggregate',
  'expected_shards',
] as const;

/** An aggregate step's plan, and the shared inputs it read. */
export interface PlannedAggregate {
  plan: AggregatePlan;
  backend: Backend;
  mode: Mode;
  timeoutMs: number;
  headSha?: string;
  pullRequestNumber?: number;
  onMissingBaseline: 'pass' | 'warn' | 'fail';
  /** Verdicts to read along the base branch, and what the drop thresholds compare with. */
  history: number;
  baselineFrom: 'base' | 'median';
  /** The drop thresholds, judged on the pooled verdict against a baseline where there is one. */
  drops: BaselinePolicy['drops'];
}

/**
 * Validates an aggregate step's inputs, either front door's: `aggregate` (a glob) with
 * `expected_shards`, and the backend's thresholds, checked on the pooled figures. No backend
 * call, no token. Every problem is said at once, in one {@link InputError}.
 */
export function planAggregate(
  raw: RawInputs,
  where: { checkName?: string; headSha?: string; pullRequestNumber?: number; cwd: string },
): PlannedAggregate {
  const common = commonSchema(BACKENDS)
    .pick(
      Object.fromEntries(READ.map((name) => [name, true])) as Record<(typeof READ)[number], true>,
    )
    .safeParse(Object.fromEntries(READ.map((name) => [name, raw[name] ?? ''])));
  if (!common.success)
    throw new InputError(
      common.error.issues.map((issue) => `Input \`${issue.path.join('.')}\` ${issue.message}`),
    );
  const inputs = common.data;
  const problems: string[] = [];
  if (inputs.expected_shards === undefined)
    problems.push(
      'Input `expected_shards` is required with `aggregate`: set it to the number of matrix legs, so that a missing one fails the gate',
    );
  if (inputs.shard)
    problems.push(
      'Inputs `shard` and `aggregate` do not go together: a matrix leg has `shard`, the step after it has `aggregate`',
    );
  // A shared input an aggregate does not read, given other than its default, would do nothing: say so.
  for (const input of declaredInputs(commonSchema(BACKENDS))) {
    const given = raw[input.name]?.trim();
    if (
      (READ as readonly string[]).includes(input.name) ||
      !given ||
      given === (input.default ?? '')
    )
      continue;
    problems.push(
      `Input \`${input.name}\` is not read by an \`aggregate\` step, which makes no backend call; remove it`,
    );
  }
  const backend = backendById(inputs.backend);
  let drops: BaselinePolicy['drops'] = [];
  try {
    rejectForeignInputs(backend, raw);
    drops = dropsOf(backend, raw);
  } catch (error) {
    problems.push(...(error as InputError).problems);
  }
  const thresholds: Threshold[] = [];
  for (const name of Object.keys(backend.inputs.shape)) {
    // A drop threshold compares the pooled verdict with the base branch's: read above.
    if (!raw[name]?.trim() || backend.drops.some((drop) => drop.input === name)) continue;
    const spec = backend.thresholds.find((t) => t.input === name);
    if (!spec) {
      problems.push(
        `Input \`${name}\` is not read by an \`aggregate\` step, which makes no backend call; remove it (thresholds are fine: they are checked on the pooled figures)`,
      );
      continue;
    }
    const parsed = (backend.inputs.shape[name] as z.ZodType).safeParse(raw[name]);
    if (parsed.success && typeof parsed.data === 'number')
      thresholds.push({ ...spec, limit: parsed.data, breaks: 'fail' });
    else
      problems.push(`Input \`${name}\` ${parsed.error?.issues[0]?.message ?? 'is not a number'}`);
  }
  if (problems.length > 0) throw new InputError(problems);
  const headSha = inputs.head_sha ?? where.headSha;
  const pullRequestNumber = inputs.pull_request_number ?? where.pullRequestNumber;
  return {
    plan: {
      pattern: inputs.aggregate ?? '',
      expectedShards: inputs.expected_shards ?? 0,
      checkName: where.checkName ?? backend.defaultCheckName,
      ...(headSha ? { headSha } : {}),
      thresholds,
      cwd: where.cwd,
    },
    backend,
    mode: inputs.mode,
    timeoutMs: inputs.timeout,
    ...(headSha ? { headSha } : {}),
    ...(pullRequestNumber ? { pullRequestNumber } : {}),
    onMissingBaseline: inputs.on_missing_baseline,
    history: inputs.history,
    baselineFrom: inputs.baseline_from,
    drops,
  };
}

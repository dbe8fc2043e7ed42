import { createHash } from 'node:crypto';
import type { GateLog } from '../support/log.js';
import { messageOf } from '../support/errors.js';
import { truncate } from '../support/text.js';
import {
  checkThreshold,
  describeThreshold,
  type Decision,
  MAX_REASON_CHARS,
  type Threshold,
  type Verdict,
  worst,
} from '../verdict/verdict.js';
import { FIGURE_SPECS } from '../backends/vocabulary.js';
import { mergeFailingTools, poolFigures } from '../repeats/pool.js';
import { globFiles } from './glob.js';
import type { ShardRow } from './types.js';
import { readShardReport, type ShardVerdict } from '../report-file/read.js';
import type { AttemptSummary } from '../retry/types.js';
import { failureKind } from '../verdict/could-not-evaluate.js';

export type { ShardRow };

/** What an aggregate step must find: how many shard reports, for which check and commit. */
export interface AggregatePlan {
  /** A glob of report files, e.g. `reports/**\/*.json`. */
  pattern: string;
  expectedShards: number;
  checkName: string;
  /** The commit the shards must have judged; undefined where the event names none. */
  headSha?: string;
  /** Thresholds given to the aggregate step, checked on the pooled figures. */
  thresholds: Threshold[];
  cwd: string;
}

/**
 * One verdict from a matrix's shard reports. Fail closed: a missing, extra, duplicate, stale
 * (another commit), foreign (another check name), unreadable or altered report fails the
 * aggregate, naming it. Otherwise the worst shard decides, counts are summed, rates pooled by
 * their trace counts where every shard carries them, and the aggregate's own thresholds are
 * checked on the pooled figures. Never throws.
 */
export async function aggregateReports(
  plan: AggregatePlan,
  log: GateLog,
): Promise<Verdict & { shards: ShardRow[] }> {
  const started = Date.now();
  let files: string[];
  try {
    files = await globFiles(plan.pattern, plan.cwd);
  } catch (error) {
    files = [];
    log.warning(`Could not list \`aggregate\` ${plan.pattern}: ${messageOf(error)}`);
  }
  const read = await Promise.all(files.map((file) => readShardReport(file)));
  const shards = read.filter((r): r is ShardVerdict => typeof r !== 'string');
  const problems = [
    ...read.filter((r): r is string => typeof r === 'string'),
    ...mismatches(shards, plan),
  ];
  log.info(
    `Read ${shards.length} shard report${shards.length === 1 ? '' : 's'} of ${plan.expectedShards} expected from ${files.length} file${files.length === 1 ? '' : 's'} matching ${plan.pattern}.`,
  );
  const rows = shards.map(({ shard, decision, reason, backend, figures, dashboardUrl }) => ({
    shard,
    decision,
    reason,
    backend,
    figures,
    ...(dashboardUrl ? { dashboardUrl } : {}),
  }));
  const backend = [...new Set(shards.map((s) => s.backend))].join(', ') || 'Aggregate';
  // Shards differ in size: a figure with no weights in every shard is left out (shown per shard).
  // A shard that could not evaluate is no sample: its figures are never pooled.
  const figures = poolFigures(
    shards.filter((shard) => shard.outcome === 'evaluated').map((shard) => shard.figures),
    FIGURE_SPECS,
    'omit',
  ).figures;
  const durationMs = Date.now() - started;
  if (problems.length > 0) {
    const reason = `The aggregate fails closed: ${problems.join('; ')}.`;
    return {
      decision: 'fail',
      reason: truncate(reason, MAX_REASON_CHARS),
      outcome: 'error',
      backend,
      ids: {},
      figures,
      thresholds: [],
      topFailingTools: [],
      durationMs,
      // Reports that do not belong together fail closed whatever their shards said: the rows say
      // no kind of failure, so the whole is never taken for an outage (failureKind) a team may let pass.
      shards: rows,
    };
  }
  const thresholds = plan.thresholds.map((t) => checkThreshold(t, figures, FIGURE_SPECS));
  const worstShard = shards.reduce<ShardVerdict | undefined>(
    (acc, s) => (!acc || worst(acc.decision, s.decision) !== acc.decision ? s : acc),
    undefined,
  );
  const decision = thresholds
    .filter((t) => !t.holds)
    .reduce<Decision>((acc, t) => worst(acc, t.breaks), worstShard?.decision ?? 'fail');
  const broken = thresholds.filter((t) => !t.holds).map(describeThreshold);
  const summary = `${shards.length} shards (${rows.map((r) => `${r.shard} ${r.decision}`).join(', ')})`;
  const why =
    decision === 'pass'
      ? `all pass${thresholds.length ? ` and ${thresholds.length === 1 ? 'its pooled threshold holds' : `all ${thresholds.length} pooled thresholds hold`}` : ''}`
      : [
          worstShard && worstShard.decision !== 'pass'
            ? `the worst is ${worstShard.shard}: ${worstShard.reason.replace(/\.$/, '')}`
            : '',
          ...broken.map((b) => `pooled ${b}`),
        ]
          .filter(Boolean)
          .join('; ');
  const topFailingTools = mergeFailingTools(shards.map((shard) => shard.topFailingTools));
  const evaluated = evaluatedOfShards(shards);
  const attempts = attemptsOfShards(shards);
  return {
    ...(evaluated ? { evaluated } : {}),
    decision,
    reason: truncate(`${summary}: ${why}.`, MAX_REASON_CHARS),
    // One shard that could not evaluate leaves the whole unevaluated: never a baseline.
    outcome: shards.every((shard) => shard.outcome === 'evaluated') ? 'evaluated' : 'error',
    ...(attempts ? { attempts } : {}),
    backend,
    backendDecision: worstShard?.decision,
    ids: {},
    figures,
    thresholds,
    topFailingTools,
    durationMs,
    // Why each failing shard failed: one that could not evaluate is no regression (failureKind).
    shards: rows.map((row, i) => {
      const failure = shards[i] && failureKind(shards[i]);
      return failure ? { ...row, failure } : row;
    }),
  };
}

/** The shards' runs started, retried and without a verdict, together; each error names its shard. */
function attemptsOfShards(shards: readonly ShardVerdict[]): AttemptSummary | undefined {
  const each = shards.flatMap((shard) => (shard.attempts ? [{ shard, ...shard.attempts }] : []));
  if (each.length === 0) return undefined;
  return {
    started: each.reduce((sum, a) => sum + a.started, 0),
    retried: each.reduce((sum, a) => sum + a.retried, 0),
    retryErrors: Math.max(...each.map((a) => a.retryErrors)),
    errors: each.flatMap((a) =>
      a.errors.map((error) => ({ ...error, run: `${a.shard.shard}: ${error.run}` })),
    ),
  };
}

/**
 * What a pooled verdict was of, for comparing it with the base branch's: each name the shards
 * give (its backend's `comparable` names), the one value where all agree, else every shard's (`refunds=…, support=…`),
 * so that the same matrix evaluating the same things compares, and another does not.
 */
function evaluatedOfShards(shards: readonly ShardVerdict[]): Record<string, string> | undefined {
  const names = [...new Set(shards.flatMap((shard) => Object.keys(shard.evaluated ?? {})))];
  if (names.length === 0) return undefined;
  const sorted = [...shards].sort((a, b) => a.shard.localeCompare(b.shard));
  return Object.fromEntries(
    names.map((name) => {
      const values = sorted.map((shard) => shard.evaluated?.[name] ?? '');
      const value =
        new Set(values).size === 1
          ? (values[0] ?? '')
          : sorted.map((shard, i) => `${shard.shard}=${values[i]}`).join(', ');
      // A record keeps 200 characters of each: a long matrix is named by its digest, which compares the same.
      return [
        name,
        value.length <= 200 ? value : `sha256:${createHash('sha256').update(value).digest('hex')}`,
      ];
    }),
  );
}

/** Reports that do not belong together: duplicates, other commits, other check names, and a count that is not the expected one. */
function mismatches(shards: ShardVerdict[], plan: AggregatePlan): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const s of shards) {
    const earlier = seen.get(s.shard);
    if (earlier) problems.push(`shard ${s.shard} has two reports (${earlier}, ${s.file})`);
    seen.set(s.shard, s.file);
    if (s.checkName !== plan.checkName)
      problems.push(
        `report ${s.file} (shard ${s.shard}) is for check "${s.checkName}", not "${plan.checkName}"`,
      );
    if (plan.headSha && s.headSha !== plan.headSha)
      problems.push(
        `report ${s.file} (shard ${s.shard}) judged commit ${s.headSha?.slice(0, 12) ?? 'none'}, not ${plan.headSha.slice(0, 12)}: it is stale`,
      );
  }
  // With no commit to hold them to, the shards must at least have judged one and the same.
  const commits = [...new Set(shards.map((s) => s.headSha ?? 'none'))].sort();
  if (!plan.headSha && commits.length > 1)
    problems.push(
      `the reports judged ${commits.length} different commits (${commits.map((sha) => sha.slice(0, 12)).join(', ')}), so they are not shards of one run`,
    );
  if (seen.size < plan.expectedShards)
    problems.push(
      `${seen.size} of ${plan.expectedShards} expected shards reported (${[...seen.keys()].join(', ') || 'none'}): ${plan.expectedShards - seen.size} missing, a leg that failed before writing its report or was cancelled`,
    );
  if (seen.size > plan.expectedShards)
    problems.push(
      `${seen.size} shards reported (${[...seen.keys()].join(', ')}), more than the ${plan.expectedShards} expected`,
    );
  return problems;
}

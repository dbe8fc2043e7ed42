import { z } from 'zod';
import { MAX_CASES_KEPT } from '../cases/types.js';

/*
 * A report file's shape as it is read back (a shard's, a baseline's, a history folder's): every
 * field the pooling, the comparison and the checks need, validated; the rest is dropped.
 */

export const decision = z.enum(['pass', 'warn', 'fail']);
const sequentialCall = z.enum(['holds', 'breaks', 'undecided']);

/** A shard's report file as the aggregate reads it: version 1, every field the pooling and the checks need. */
export const VerdictReport = z.object({
  decision,
  reason: z.string(),
  outcome: z.enum(['evaluated', 'error', 'cancelled']),
  backend: z.string(),
  status: z.string().optional(),
  backendDecision: decision.optional(),
  ids: z.record(z.string(), z.string()),
  dashboardUrl: z.string().optional(),
  figures: z.record(z.string(), z.number()),
  evaluated: z.record(z.string(), z.string()).optional(),
  thresholds: z.array(
    z.object({
      input: z.string(),
      figure: z.string(),
      label: z.string(),
      unit: z.string().optional(),
      comparator: z.enum(['>=', '<=']),
      limit: z.number(),
      breaks: z.enum(['warn', 'fail']),
      actual: z.number().optional(),
      holds: z.boolean(),
      interval: z.unknown().optional(),
      unmeasured: z.unknown().optional(),
      decidedBy: z
        .union([
          z.object({ rule: z.literal('sequential'), call: sequentialCall }),
          z.object({ rule: z.literal('cases'), said: z.string().max(1000) }),
        ])
        .optional(),
    }),
  ),
  repeats: z
    .object({
      // Evaluated repeats: 0 when none had a verdict.
      run: z.number().int().min(0),
      passed: z.number().int().min(0),
      rows: z
        .array(
          z.object({
            index: z.number(),
            decision,
            outcome: z.enum(['evaluated', 'error', 'cancelled']),
            reason: z.string(),
            figures: z.record(z.string(), z.number()),
            failingTools: z.array(z.string()),
            replacedBy: z.number().int().min(1).optional(),
          }),
        )
        .max(20),
      mode: z.enum(['fixed', 'auto']).optional(),
      sequential: z
        .array(
          z
            .object({
              input: z.string(),
              call: sequentialCall,
              llr: z.number(),
              lower: z.number(),
              upper: z.number(),
            })
            .passthrough(),
        )
        .optional(),
    })
    .passthrough()
    .optional(),
  topFailingTools: z.array(z.object({ tool: z.string(), count: z.number() })),
  attempts: z
    .object({
      started: z.number().int().min(0),
      retried: z.number().int().min(0),
      retryErrors: z.number().int().min(0),
      maxRuns: z.number().int().min(1).optional(),
      stoppedBy: z.string().optional(),
      readOnce: z.string().max(40).optional(),
      errors: z
        .array(
          z.object({
            run: z.string(),
            attempt: z.number().int().min(1),
            runId: z.string().optional(),
            runIds: z.array(z.string()).max(10).optional(),
            message: z.string(),
            kind: z.enum(['unevaluated', 'refused']),
            retried: z.boolean(),
            notRetried: z.string().optional(),
            replacedBy: z.string().max(40).optional(),
          }),
        )
        .max(1000),
    })
    .optional(),
  durationMs: z.number(),
  /** Each case's outcome, where the backend named its cases: a later gate compares with them case by case (`--history-dir`, `--baseline-report`). */
  cases: z
    .object({
      total: z.number().int().min(0),
      failing: z.number().int().min(0),
      errored: z.number().int().min(0),
      cases: z
        .array(
          z.object({
            id: z.string().regex(/^[0-9a-f]{12,64}$/),
            name: z.string().max(2000),
            passed: z.number().int().min(0),
            failed: z.number().int().min(0),
            errored: z.number().int().min(0),
            reason: z.string().max(2000).optional(),
          }),
        )
        .max(MAX_CASES_KEPT),
      omitted: z.number().int().min(0),
    })
    .optional(),
});

/** One entry of many gates (`config`) as a report holds it: whether it ran, why, and its verdict. */
const GateEntryReport = z.object({
  name: z.string().max(64),
  paths: z.array(z.string()).max(100),
  ran: z.boolean(),
  why: z.string(),
  verdict: VerdictReport.optional(),
  /** The base commit's verdict of it was of something else: its verdict warns at best. */
  notComparable: z.string().optional(),
});

export const ShardReport = VerdictReport.extend({
  version: z.number(),
  checkName: z.string(),
  repository: z.string(),
  headSha: z.string().optional(),
  shard: z.string().min(1).optional(),
  writtenAt: z.iso.datetime().optional(),
  gates: z
    .object({
      config: z.string(),
      selection: z.string(),
      entries: z.array(GateEntryReport).min(1).max(100),
      removed: z
        .array(z.object({ name: z.string().max(64), decision, sha: z.string() }))
        .max(100)
        .optional(),
    })
    .optional(),
});

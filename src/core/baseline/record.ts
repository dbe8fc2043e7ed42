import { z } from 'zod';
import type { Figures } from '../verdict/figures.js';
import { RecordedCases, RecordedRegression } from '../cases/record.js';

/** Most characters of a maintainer's reason for accepting a verdict that a record keeps. */
export const ACCEPT_REASON_MAX_CHARS = 2_000;

/** One gate's verdict as a record: what a later change is compared with. */
const GateRecord = z.object({
  v: z.literal(1),
  checkName: z.string(),
  backend: z.string(),
  decision: z.enum(['pass', 'warn', 'fail']),
  headSha: z.string().regex(/^[0-9a-f]{40}$/i),
  figures: z.record(z.string(), z.number().finite()),
  ids: z.record(z.string(), z.string()),
  failingTools: z.array(z.string()).max(100),
  /** The items that regressed most against that verdict's own base run, when its diff was read. Absent in older records. */
  regressedItems: z.array(z.string()).max(100).optional(),
  at: z.string(),
  /** What was evaluated (the backend's `comparable` names): a base verdict of something else is not comparable. Absent in older records. */
  evaluated: z.record(z.string(), z.string().max(200)).optional(),
  /** The thresholds it was judged by, input → limit (drops included). Absent in older records. */
  thresholds: z.record(z.string(), z.number().finite()).optional(),
  /** Each case's state (`src/core/cases/record.ts`), where the backend named its cases. Absent in older records. */
  cases: RecordedCases.optional(),
  /** The case-by-case regression test against its own base branch (`regression_alpha`): p and the cases it named. Absent in older records. */
  regression: RecordedRegression.optional(),
  /** How many repeats the verdict pooled (1 without repeats). Absent in older records. */
  repeats: z.number().int().min(1).max(20).optional(),
  /** With repeats: each figure's spread across them, so that a later comparison is judged on the interval of the difference. */
  spread: z
    .record(
      z.string(),
      z.object({
        n: z.number().int().min(2).max(20),
        mean: z.number().finite(),
        sd: z.number().finite().min(0),
      }),
    )
    .optional(),
  /**
   * What was left out to fit GitHub's limit on a check's text: how many failing tools and
   * regressed items past those listed, and the ids too long to keep. Absent when nothing was.
   */
  omitted: z
    .object({
      failingTools: z.number().int().min(0),
      regressedItems: z.number().int().min(0),
      /** Cases the verdict had and the record does not keep. */
      cases: z.number().int().min(0),
      ids: z.array(z.string()).max(20),
    })
    .partial()
    .optional(),
});

/** Entries one record holds at most (a config file's `gates:`). */
const MAX_GATE_RECORDS = 100;

/**
 * The base branch's last verdict, as the gate's own check run stores it: a hidden, versioned
 * record in the check's `output.text`. GitHub is the store; no other service.
 */
export const BaselineRecord = GateRecord.extend({
  /**
   * Many gates in one step (`config`): each entry that ran and evaluated, by its name, as a
   * record of its own. The fields above are then the step's (its decision the worst of them).
   */
  gates: z.record(z.string().max(64), GateRecord).optional(),
  /**
   * Set on the check a maintainer's `/gate accept` completed (CONTRACT.md, section 9): the
   * decision above stays the one the gate made; this says who accepted it, when and why, and
   * what the check said before. An accepted verdict is never a baseline.
   */
  accepted: z
    .object({
      by: z.string().max(100),
      at: z.string(),
      reason: z.string().max(ACCEPT_REASON_MAX_CHARS),
      commentId: z.number().int(),
      commentUrl: z.string().max(500).optional(),
      /** The accepted check's own conclusion and title, which `/gate revoke` puts back. */
      conclusion: z.string().max(40),
      title: z.string().max(300),
    })
    .optional(),
  /** Set on the check a `/gate revoke` completed: the verdict as the gate made it, and who revoked its acceptance. */
  revoked: z
    .object({ by: z.string().max(100), at: z.string(), commentId: z.number().int() })
    .optional(),
}).refine((record) => Object.keys(record.gates ?? {}).length <= MAX_GATE_RECORDS, {
  message: `holds more than ${MAX_GATE_RECORDS} gates`,
  path: ['gates'],
});
export type BaselineRecord = z.output<typeof BaselineRecord>;

/** A verdict's comparison with its baseline. */
export interface BaselineComparison {
  /** The base commit's verdict, or undefined with why there is none. */
  record?: BaselineRecord;
  missing?: string;
  /** Current minus baseline, for every figure both have. */
  deltas: Figures;
  /** Tools that fail on the change and did not on the base. */
  newlyFailingTools: string[];
  /** Set when the base commit had no verdict and the baseline is this many commits further back along the base branch. */
  walkedBack?: number;
  /** Set when the baseline is the median of this many comparable verdicts along the base branch (`baseline_from: median`), not one base commit's. */
  medianOf?: number;
  /** Set when the base verdict was found but is of something else (not `comparable`): it is not compared. */
  notComparable?: boolean;
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** The comparison with the base branch's last verdict, when one was looked for. */
    baseline?: BaselineComparison;
  }
}

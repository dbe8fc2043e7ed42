import type { Decision } from '../verdict/decision.js';
import type { Figures } from '../verdict/figures.js';

/** One shard, as the aggregate shows it. */
export interface ShardRow {
  shard: string;
  decision: Decision;
  reason: string;
  /** Why the shard failed, when it did: one that could not evaluate is no evidence of a regression. */
  failure?: 'regression' | 'could not evaluate';
  backend: string;
  figures: Figures;
  dashboardUrl?: string;
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** An aggregate's shards, one row each. */
    shards?: ShardRow[];
  }
}

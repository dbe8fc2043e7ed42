import type { Decision } from '../verdict/decision.js';
import type { Figures } from '../verdict/figures.js';

/** One shard, as the aggregate shows it. */
export interface ShardRow {
  shard: string;
  decision: Decision;
  reason: string;
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

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

/** How the eval runs the fake schedules behave. */
export interface FakeTruLayerOptions {
  /** Mean score of every new run. */
  meanScore?: number;
  /** Mean score of the baseline run. */
  baselineScore?: number;
  items?: number;
  finishAfterMs?: number;
  /** A run that ends `failed` with this message. */
  failWith?: string;
  /** The gate answers this decision whatever the policy, to test the gate's own re-check. */
  forceDecision?: 'pass' | 'warn' | 'block';
  /** The gate's reason, whatever the policy: backend text the action must neither obey nor publish raw. */
  forceReason?: string;
  /** A lying backend: every poll of an eval run answers about the baseline run instead. */
  answerAboutBaseline?: boolean;
  /** How far each item's score strays from its run's mean in the per-item diff (default 0.05). */
  itemNoise?: number;
  /** A lying backend: the runs it schedules say they are of this dataset and eval version, and score high. */
  foreignRuns?: { dataset_id: string; eval_version_id: string };
  /** A lying backend: a run `completed` having scored only this many of its items. */
  scoredItems?: number;
  /** A run that completes every item but gives this many of them (the last) a null score in its export. */
  nullScores?: number;
  /** Metric rows per item in the export (default `['correctness']`); a null score is on the last. */
  metrics?: readonly string[];
  /** With `failWith`, `scoredItems` or `nullScores`: only these scheduled runs (1-based, in order) misbehave; the others are whole. */
  misbehavingRuns?: readonly number[];
  /** An older TruLayer: no export of eval runs (404). */
  noExport?: boolean;
  /** A lying backend: the export's body, rewritten (and not held to the description). */
  rewriteExport?: (exported: {
    run: Record<string, unknown>;
    items: Record<string, unknown>[];
  }) => unknown;
  /** A lying backend: its diff gives the items the export left unscored a run score of 0. */
  diffZeroesUnscored?: boolean;
}

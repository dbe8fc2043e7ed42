import { describe, expect, it } from 'vitest';
import { scoredItems, uncovered } from '../../../../src/core/backends/trulayer/coverage.js';
import type { EvalRun, EvalRunExport } from '../../../../src/core/backends/trulayer/schemas.js';

const RUN: EvalRun = {
  id: 'a1b2',
  dataset_id: 'd',
  eval_version_id: 'v',
  status: 'completed',
  item_count: 4,
  completed_count: 4,
  created_at: '2026-01-01T00:00:00Z',
};

const row = (trace: string, metric: string, score: number | null | undefined) => ({
  id: `${trace}-${metric}`,
  trace_id: trace,
  metric_name: metric,
  evaluator_type: 'llm_judge',
  status: 'completed',
  ...(score === undefined ? {} : { score }),
  created_at: '2026-01-01T00:00:00Z',
});

const exported = (items: EvalRunExport['items'], run = RUN): EvalRunExport => ({ run, items });

describe('which items a TruLayer export scored', () => {
  it('counts an item once, and as scored only when every one of its metrics has a score', () => {
    const items = scoredItems(
      exported([
        row('t1', 'correctness', 0.9),
        row('t1', 'safety', 1),
        row('t2', 'correctness', 0.7),
        row('t2', 'safety', null), // one metric unscored: the item is
        row('t3', 'correctness', 0),
        row('t3', 'safety', undefined), // an absent score is none
        row('T4', 'correctness', 0.5),
        row('t4', 'correctness', 0.6), // the same item, whatever the letter case
      ]),
      'A1B2',
    );
    expect(items).toEqual({ listed: 4, scored: 2, unscored: new Set(['t2', 't3']) });
  });

  it('refuses an export of another run', () => {
    expect(() => scoredItems(exported([], { ...RUN, id: 'other' }), 'a1b2')).toThrow(
      'GET /v1/eval-runs/{id}/export was asked about eval run "a1b2" and answered about "other"; the gate fails closed.',
    );
  });

  it('says why the run could not evaluate, from the export once read', () => {
    const read = (listed: number, scored: number) => ({
      listed,
      scored,
      unscored: new Set<string>(),
    });
    expect(uncovered(RUN, 100, read(4, 3))).toBe(
      "the eval run scored 3 of its 4 items (75%; its export has no score for the other 1), below `min_coverage` (100%), so its mean is not the dataset's",
    );
    expect(uncovered(RUN, 75, read(4, 3))).toBeUndefined();
    expect(uncovered(RUN, 0, read(4, 0))).toBe(
      'the eval run scored none of its 4 items (its export has no score for any)',
    );
    expect(uncovered(RUN, 0, read(5, 4))).toBe(
      "the eval run's export lists 5 items, more than the 4 it has, so its counts cannot be trusted",
    );
    expect(uncovered({ ...RUN, completed_count: 3 }, 0, read(4, 4))).toBe(
      "the eval run's export scores 4 items, more than the 3 it says it completed, so its counts cannot be trusted",
    );
  });
});

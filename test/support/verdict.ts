import type { Verdict } from '../../src/core/verdict/verdict.js';

/** A failing Sepurux verdict with one run and a pass rate of 0.5, with `over` on top: for tests of what renders a verdict. */
export const sampleVerdict = (over: Partial<Verdict> = {}): Verdict => ({
  decision: 'fail',
  reason: 'Sepurux decided fail.',
  outcome: 'evaluated',
  backend: 'Sepurux',
  ids: { run_id: 'r1' },
  figures: { pass_rate: 0.5 },
  thresholds: [],
  topFailingTools: [],
  durationMs: 1234,
  ...over,
});

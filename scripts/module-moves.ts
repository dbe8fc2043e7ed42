/** Where each module of the old flat core went when the core was grouped by the pipeline's stages. */
export const MOVES: Record<string, string> = {
  // The base branch: compare, its record on the check, the history along it, earlier report files.
  'src/core/baseline.ts': 'src/core/baseline/compare.ts',
  'src/core/baseline-record.ts': 'src/core/baseline/record.ts',
  'src/core/history.ts': 'src/core/baseline/history.ts',
  'src/core/history-types.ts': 'src/core/baseline/history-types.ts',
  'src/core/history-files.ts': 'src/core/baseline/history-files.ts',
  'test/core/baseline.test.ts': 'test/core/baseline/compare.test.ts',
  'test/core/base-branch-bounds.test.ts': 'test/core/baseline/bounds.test.ts',
  // The verdict and what it is made of.
  'src/core/verdict.ts': 'src/core/verdict/verdict.ts',
  'src/core/decision.ts': 'src/core/verdict/decision.ts',
  'src/core/figures.ts': 'src/core/verdict/figures.ts',
  'src/core/why.ts': 'src/core/verdict/why.ts',
  'test/core/verdict.test.ts': 'test/core/verdict/verdict.test.ts',
  // One gate to a verdict.
  'src/core/gate.ts': 'src/core/gate/gate.ts',
  // The report file: written and read back, one schema.
  'src/core/render/report.ts': 'src/core/report-file/write.ts',
  'src/core/aggregate/read-report.ts': 'src/core/report-file/read.ts',
  'test/core/aggregate/read-report.test.ts': 'test/core/report-file/read.test.ts',
  // Backend data beside the registry.
  'src/core/vocabulary.ts': 'src/core/backends/vocabulary.ts',
  // What every stage leans on.
  'src/core/deadline.ts': 'src/core/support/deadline.ts',
  'src/core/cancel.ts': 'src/core/support/cancel.ts',
  'src/core/errors.ts': 'src/core/support/errors.ts',
  'src/core/text.ts': 'src/core/support/text.ts',
  'src/core/secrets.ts': 'src/core/support/secrets.ts',
  'src/core/log.ts': 'src/core/support/log.ts',
  'src/core/poll.ts': 'src/core/support/poll.ts',
  'src/core/stats.ts': 'src/core/support/stats.ts',
  'src/core/json/check.ts': 'src/core/support/json-check.ts',
  'test/core/poll.test.ts': 'test/core/support/poll.test.ts',
  'test/core/secrets.test.ts': 'test/core/support/secrets.test.ts',
  'test/core/stats.test.ts': 'test/core/support/stats.test.ts',
  'test/core/text.test.ts': 'test/core/support/text.test.ts',
  'test/core/json/check.test.ts': 'test/core/support/json-check.test.ts',
};

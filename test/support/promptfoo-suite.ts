import { promptfooJson } from './promptfoo.js';

/** Cases in a {@link suite}. */
export const SIZE = 20;

/**
 * A real results file of 20 cases (the support suite's refund and cancel tests, numbered),
 * some rows flipped to the real failing rows of the same test, `results.stats` kept consistent;
 * the cases in `failing` fail.
 */
export function suite(failing: readonly number[]): { text: string } {
  const pass = promptfooJson('pass');
  const regressed = promptfooJson('regressed');
  // Rows 0 and 2 (refund, cancel) pass in the one file and fail in the other.
  const rows = Array.from({ length: SIZE }, (_, i) => {
    const template = i % 2 === 0 ? 0 : 2;
    const row = structuredClone(
      (failing.includes(i) ? regressed : pass).results.results[template]!,
    ) as Record<string, unknown> & { testCase: { description: string } };
    row.testCase.description = `${row.testCase.description} #${i}`;
    if (typeof row.description === 'string') row.description = row.testCase.description;
    row.testIdx = i;
    return row;
  });
  pass.results.results = rows;
  pass.results.stats = {
    ...pass.results.stats,
    successes: SIZE - failing.length,
    failures: failing.length,
    errors: 0,
  };
  return { text: JSON.stringify(pass) };
}

import { escapeText } from '../render/escape.js';
import type { CaseOutcome, CaseSummary } from './types.js';

/** A case's samples, as a reviewer reads them: `0 of 1`, `2 of 3`, with the errored ones said apart. */
export function samplesCell(outcome: CaseOutcome): string {
  const evaluated = outcome.passed + outcome.failed;
  const errored = outcome.errored ? ` (${outcome.errored} errored)` : '';
  return `${outcome.passed} of ${evaluated}${errored}`;
}

/**
 * The cases section of a verdict's body: the failing cases first, each with how often it passed
 * and why it failed (outside text, escaped), then the cases that errored, apart: they were not
 * evaluated, and are counted neither as passes nor as failures. At most `max` rows each.
 */
export function caseSection(cases: CaseSummary | undefined, max: number): string[] {
  if (!cases) return [];
  const failing = cases.cases.filter((c) => c.failed > 0);
  const errored = cases.cases.filter((c) => c.failed === 0 && c.errored > 0);
  const lines: string[] = [];
  if (failing.length > 0) {
    lines.push(
      `**Failing cases** (${cases.failing} of ${cases.total})`,
      '',
      '| Case | Passed | Why it failed |',
      '| --- | --- | --- |',
      ...failing
        .slice(0, max)
        .map(
          (c) =>
            `| ${escapeText(c.name, 200)} | ${samplesCell(c)} | ${escapeText(c.reason ?? '', 300)} |`,
        ),
      ...more(cases.failing, Math.min(max, failing.length), 3),
      '',
    );
  }
  if (errored.length > 0) {
    lines.push(
      `**Not evaluated** (${errored.length === cases.errored ? cases.errored : `${cases.errored} cases with errors, ${errored.length}`} without a verdict; never counted as passing or failing)`,
      '',
      '| Case | Errored | First line of the error |',
      '| --- | --- | --- |',
      ...errored
        .slice(0, max)
        .map(
          (c) =>
            `| ${escapeText(c.name, 200)} | ${c.errored} | ${escapeText(c.reason ?? '', 300)} |`,
        ),
      ...more(errored.length, Math.min(max, errored.length), 3),
      '',
    );
  }
  return lines;
}

/** `| *and 12 more* | | |` when rows were left out. */
function more(total: number, shown: number, columns: number): string[] {
  return total > shown ? [`| *and ${total - shown} more* |${' |'.repeat(columns - 1)}`] : [];
}

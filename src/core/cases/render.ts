import { escapeText, quotedText } from '../render/escape.js';
import { codeSpan } from '../render/escape.js';
import type { CaseBeside, CaseOutcome, CaseRegression, CasesBeside, CaseSummary } from './types.js';

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
  const lines: string[] = regressionLines(cases.regression);
  if (failing.length > 0) {
    const beside = cases.beside;
    // New failures first: they are the change's; the ones the base branch had were there before it.
    const shown = beside
      ? [...failing].sort((a, b) => Number(known(beside, a)) - Number(known(beside, b)))
      : failing;
    lines.push(
      `**Failing cases** (${cases.failing} of ${cases.total}${beside ? `; ${newCount(beside, failing)} new` : ''})`,
      '',
      beside
        ? '| Case | Passed | Beside the base branch | Why it failed |'
        : '| Case | Passed | Why it failed |',
      beside ? '| --- | --- | --- | --- |' : '| --- | --- | --- |',
      ...shown
        .slice(0, max)
        .map(
          (c) =>
            `| ${escapeText(c.name, 200)} | ${samplesCell(c)} |${beside ? ` ${besideCell(beside, beside.cases[c.id])} |` : ''} ${escapeText(c.reason ?? '', 300)} |`,
        ),
      ...more(cases.failing, Math.min(max, failing.length), beside ? 4 : 3),
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

/** Whether a failing case failed on the base branch before: on the base commit, or along its history. */
function known(beside: CasesBeside, outcome: CaseOutcome): boolean {
  const seen = beside.cases[outcome.id];
  return Boolean(seen && (seen.base === 'f' || seen.base === 'm' || seen.failedIn > 0));
}

const newCount = (beside: CasesBeside, failing: readonly CaseOutcome[]) =>
  failing.filter((outcome) => !known(beside, outcome)).length;

/**
 * A failing case beside the base branch, as a reviewer reads it: **new** when it passed on the
 * base commit and never failed along the branch; else how often it failed there ("5 of 10: flaky").
 */
export function besideCell(beside: CasesBeside, seen: CaseBeside | undefined): string {
  if (!seen) return '';
  const base = beside.baseSha
    ? seen.base === 'p'
      ? `passed on ${codeSpan(beside.baseSha.slice(0, 7))}`
      : seen.base === 'f' || seen.base === 'm'
        ? `failed on ${codeSpan(beside.baseSha.slice(0, 7))} too`
        : seen.base === 'e'
          ? `errored on ${codeSpan(beside.baseSha.slice(0, 7))}`
          : `not on ${codeSpan(beside.baseSha.slice(0, 7))} (a new case)`
    : '';
  const along =
    seen.of === 0
      ? ''
      : seen.failedIn === 0
        ? `never failed in ${seen.of} base-branch verdict${seen.of === 1 ? '' : 's'}`
        : `failed in ${seen.failedIn} of ${seen.of}${seen.failedIn < seen.of ? ': flaky' : ''}`;
  const fresh = (seen.base === 'p' || seen.base === undefined) && seen.failedIn === 0;
  return `${fresh && (base || along) ? '**new**: ' : ''}${[base, along].filter(Boolean).join('; ')}`;
}

/**
 * The case-by-case regression test, as a reviewer reads it: its call, the rule, and the cases it
 * named with their record on main ("0 of 10", "5 of 10: flaky"); with the sign test, the newly
 * failing cases and how many newly pass.
 */
function regressionLines(regression: CaseRegression | undefined): string[] {
  if (!regression) return [];
  const call = regression.regressed ? '**a regression**' : 'no regression';
  const rule =
    regression.method === 'history'
      ? `each case's record on main over its last ${regression.verdicts} verdicts, shrunk toward the suite's spread`
      : "the sign test against main's last verdict, the weaker test (fewer than 3 comparable verdicts with cases)";
  const named = regression.cases
    .slice(0, 10)
    .map(
      (c) =>
        `${escapeText(c.name, 80)} (${regression.method === 'history' ? `${c.failedIn} of ${c.of}${c.failedIn > 0 && c.failedIn < c.of ? ': flaky' : ''}` : 'newly failing'})`,
    );
  const more =
    regression.cases.length > named.length
      ? `, and ${regression.cases.length - named.length} more`
      : '';
  return [
    `**Case by case against main**: ${call} at \`regression_alpha\` ${regression.alpha}: ${quotedText(regression.said, 600)}. Judged on ${rule}.`,
    ...(named.length > 0
      ? [
          '',
          `${regression.method === 'history' ? 'Failing now, with their record on main' : 'Newly failing'}: ${named.join('; ')}${more}.`,
        ]
      : []),
    '',
  ];
}

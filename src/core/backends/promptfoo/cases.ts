import { createHash } from 'node:crypto';
import { CASE_TEXT_MAX_CHARS, type CaseOutcome, firstLine } from '../../cases/types.js';
import { excerpt } from '../../support/text.js';
import type { Row } from './results-file.js';

/** What promptfoo's rows add up to: the figures the gate judges, and each case's outcome. */
export interface Tally {
  rows: number;
  passed: number;
  failed: number;
  errored: number;
  /** US dollars over the priced rows. */
  cost: number;
  /** Rows whose provider said no price: their cost is unknown, never zero. */
  unpriced: number;
  cases: CaseOutcome[];
  /** The first line of each distinct error, with how many rows said it (most first, bounded). */
  errors: { message: string; count: number }[];
}

const ERRORS_KEPT = 10;

/**
 * Adds up the rows. A case is a test (its description and vars) × prompt × provider: promptfoo's
 * `--repeat N` writes N rows of one case, each with its own `testIdx`, so rows are grouped by what
 * the case is, never by `testIdx`; two tests that share a description but not their vars are two cases.
 */
export function tallyRows(rows: readonly Row[]): Tally {
  const cases = new Map<string, CaseOutcome>();
  const parts = new Map<string, { test: string; prompt: string; provider: string }>();
  const errors = new Map<string, number>();
  const tally = { rows: rows.length, passed: 0, failed: 0, errored: 0, cost: 0, unpriced: 0 };
  const ids = caseIds(rows);
  for (const [index, row] of rows.entries()) {
    const id = ids[index] as string;
    const outcome = cases.get(id) ?? { id, name: '', passed: 0, failed: 0, errored: 0 };
    if (!parts.has(id)) parts.set(id, partsOf(row));
    if (row.failureReason === 0) {
      tally.passed++;
      outcome.passed++;
    } else if (row.failureReason === 1) {
      tally.failed++;
      outcome.failed++;
      // An assertion's message is in `error` too; the grader's reason is the fuller one.
      const reason = firstLine(row.gradingResult?.reason ?? row.error);
      if (reason && (outcome.reason === undefined || outcome.failed === 1)) outcome.reason = reason;
    } else {
      tally.errored++;
      outcome.errored++;
      const message = firstLine(row.error) ?? 'promptfoo recorded an error without a message';
      errors.set(message, (errors.get(message) ?? 0) + 1);
      if (outcome.failed === 0) outcome.reason ??= message;
    }
    const price = priceOf(row);
    if (price === undefined) tally.unpriced++;
    else tally.cost += price;
    cases.set(id, outcome);
  }
  // A suite of one prompt and one provider names its cases by their tests alone.
  const several = (part: 'prompt' | 'provider') =>
    new Set([...parts.values()].map((p) => p[part])).size > 1;
  const [prompts, providers] = [several('prompt'), several('provider')];
  for (const [id, outcome] of cases) {
    const { test, prompt, provider } = parts.get(id) ?? { test: id, prompt: '', provider: '' };
    const beside = [prompts ? `prompt ${prompt}` : '', providers ? provider : ''].filter(Boolean);
    outcome.name = excerpt(
      beside.length ? `${test} (${beside.join(', ')})` : test,
      CASE_TEXT_MAX_CHARS,
    );
  }
  // Two cases a reviewer would read as one (the same description, other vars; one provider twice
  // with other settings) are numbered in the file's order.
  const named = new Map<string, CaseOutcome[]>();
  for (const outcome of cases.values())
    named.set(outcome.name, [...(named.get(outcome.name) ?? []), outcome]);
  for (const same of named.values())
    if (same.length > 1) same.forEach((outcome, i) => (outcome.name = `${outcome.name} #${i + 1}`));
  return {
    ...tally,
    cost: Math.round(tally.cost * 1e6) / 1e6,
    cases: [...cases.values()],
    errors: [...errors.entries()]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, ERRORS_KEPT),
  };
}

/**
 * A row's price in US dollars, or undefined when its provider gave none: promptfoo writes the
 * row's `cost` as 0 when the provider said nothing, so a row is priced only where its response
 * carried a cost (or the row's own is above 0, a grader's).
 */
function priceOf(row: Row): number | undefined {
  // The row's cost is the provider's (and its graders'); a forged 0 beside a priced response is not free.
  if (typeof row.response?.cost === 'number') return Math.max(row.cost ?? 0, row.response.cost);
  return row.cost !== undefined && row.cost > 0 ? row.cost : undefined;
}

/**
 * What each row's case is, hashed: the test (its description and vars) and the column promptfoo
 * ran it in (`promptIdx`: one prompt with one provider). Not the prompt's text nor the provider's
 * id: a change that edits the prompt or the model is the same suite, compared case by case with
 * main. Two tests of the same description and vars are told apart by their assertions.
 */
function caseIds(rows: readonly Row[]): string[] {
  const tests = rows.map((row) =>
    JSON.stringify([
      row.testCase.description ?? row.description ?? '',
      canonical(row.vars ?? row.testCase.vars ?? {}),
      row.promptIdx,
    ]),
  );
  const count = new Map<string, number>();
  for (const test of tests) count.set(test, (count.get(test) ?? 0) + 1);
  // Assertions are read only where a test has more than one row (repeats, or tests alike but for
  // their assertions): a test of one row is its own case whatever it asserts.
  const asserts = rows.map((row, i) =>
    (count.get(tests[i] as string) ?? 0) > 1 ? canonical(row.testCase.assert ?? null) : '',
  );
  const kinds = new Map<string, Set<string>>();
  tests.forEach((test, i) => kinds.set(test, (kinds.get(test) ?? new Set()).add(asserts[i] ?? '')));
  const hashed = new Map<string, string>();
  return tests.map((test, i) => {
    const told = (kinds.get(test)?.size ?? 0) > 1 ? asserts[i] : '';
    const key = `${test}${told}`;
    let id = hashed.get(key);
    if (id === undefined) {
      id = createHash('sha256').update(key).digest('hex').slice(0, 16);
      hashed.set(key, id);
    }
    return id;
  });
}

/** How a case is named: its test's description (else its vars), its prompt and its provider. */
function partsOf(row: Row): { test: string; prompt: string; provider: string } {
  const description = (row.testCase.description ?? row.description ?? '').trim();
  return {
    test: description || `vars ${canonical(row.vars ?? row.testCase.vars ?? {})}`,
    prompt: excerpt(row.prompt.label ?? row.prompt.raw ?? String(row.promptIdx + 1), 60),
    provider: row.provider.label ?? row.provider.id,
  };
}

/**
 * JSON with keys sorted at every depth: the same vars written in another order are the same case.
 * Written out by hand rather than through copies sorted for `JSON.stringify` (a third of the time
 * a large file took), to the same text, which case ids are hashes of: keys that are array indices
 * first in numeric order, as an object lists them, then the others sorted. Values are what
 * `JSON.parse` makes (no `toJSON`, no `undefined`), and a key `__proto__` is an own key like any.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const record = value as Record<string, unknown>;
  const indices: string[] = [];
  const names: string[] = [];
  for (const key of Object.keys(record))
    if (record[key] !== undefined)
      (ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1 ? indices : names).push(key);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${[...indices, ...names].map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

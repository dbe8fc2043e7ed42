import { createHash } from 'node:crypto';
import { CASE_TEXT_MAX_CHARS, type CaseOutcome, firstLine } from '../../cases/types.js';
import { formatNumber } from '../../verdict/figures.js';
import { BackendCallError } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import type { ExperimentEvent } from './schemas.js';

/** What an experiment's rows add up to on one score: the figures the gate judges, each case's outcome. */
export interface Tally {
  rows: number;
  passed: number;
  failed: number;
  errored: number;
  /** The headline score of each row evaluated, for the mean and its interval. */
  scores: number[];
  /** `metrics.tokens` summed over the rows that carry it; undefined when none does. */
  tokens?: number;
  cases: CaseOutcome[];
  /** The first line of each distinct error, with how many rows said it (most first, bounded). */
  errors: { message: string; count: number }[];
}

const ERRORS_KEPT = 10;

/** Every score name the rows carry, sorted. */
export function scoreNames(rows: readonly ExperimentEvent[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.scores ?? {})))].sort();
}

/**
 * The score that judges each row: `score_name` when given (it must be one the rows carry), else
 * the rows' only score. Rows that carry scores, but `score_name` names none of them or is
 * missing among several, are a setup the user must fix (`misnamed`, an input error); rows that
 * carry no score at all are an evaluation that scored nothing (`unusable`), the same as every
 * row unscored. Each is a sentence saying what to set.
 */
export function headlineScore(
  names: readonly string[],
  given: string | undefined,
  of = 'the experiment',
): { name: string } | { misnamed: string } | { unusable: string } {
  const listed = names.map((n) => `"${excerpt(n, 60)}"`).join(', ');
  if (given !== undefined && names.includes(given)) return { name: given };
  if (names.length === 0)
    return {
      unusable:
        given === undefined
          ? 'no row carries any score: check that the eval has scorers'
          : `no row carries any score, so \`score_name\` "${excerpt(given, 60)}" judges nothing: check that the eval's scorers ran`,
    };
  if (given !== undefined)
    return {
      misnamed: `Input \`score_name\` "${excerpt(given, 60)}" is no score the rows of ${of} carry; they carry ${listed}: set \`score_name\` to one of them`,
    };
  if (names.length === 1 && names[0] !== undefined) return { name: names[0] };
  return {
    misnamed: `Input \`score_name\` is required: the rows carry ${names.length} scores (${listed}) in ${of}; set \`score_name\` to the one that judges a row`,
  };
}

/**
 * Adds up the rows on the headline score. A row with `error` set, or whose headline score is
 * null or missing, was not evaluated: an error, never a zero (contract section 10). A row passes
 * when its score reaches `passScore`. Rows of one case (trials of a dataset record) are one case.
 */
export function tallyRows(
  rows: readonly ExperimentEvent[],
  scoreName: string,
  passScore: number,
): Tally {
  const cases = new Map<string, CaseOutcome>();
  const errors = new Map<string, number>();
  const tally = { rows: rows.length, passed: 0, failed: 0, errored: 0 };
  const scores: number[] = [];
  let tokens: number | undefined;
  for (const row of rows) {
    const id = readable(row, () => caseIdOf(row));
    const outcome = cases.get(id) ?? {
      id,
      name: readable(row, () => caseNameOf(row)),
      passed: 0,
      failed: 0,
      errored: 0,
    };
    const score = row.scores?.[scoreName];
    const error = readable(row, () => errorOf(row, scoreName, score));
    if (error !== undefined) {
      tally.errored++;
      outcome.errored++;
      errors.set(error, (errors.get(error) ?? 0) + 1);
      if (outcome.failed === 0) outcome.reason ??= error;
    } else if (typeof score === 'number' && score >= passScore) {
      tally.passed++;
      outcome.passed++;
      scores.push(score);
    } else if (typeof score === 'number') {
      tally.failed++;
      outcome.failed++;
      scores.push(score);
      if (outcome.failed === 1)
        outcome.reason = `${excerpt(scoreName, 60)} ${formatNumber(score)}, under \`pass_score\` ${formatNumber(passScore)}`;
    }
    if (typeof row.metrics?.tokens === 'number') tokens = (tokens ?? 0) + row.metrics.tokens;
    cases.set(id, outcome);
  }
  // Two cases a reviewer would read as one (the same input text, cut short) are numbered.
  const named = new Map<string, CaseOutcome[]>();
  for (const outcome of cases.values())
    named.set(outcome.name, [...(named.get(outcome.name) ?? []), outcome]);
  for (const same of named.values())
    if (same.length > 1) same.forEach((outcome, i) => (outcome.name = `${outcome.name} #${i + 1}`));
  return {
    ...tally,
    scores,
    ...(tokens !== undefined ? { tokens } : {}),
    cases: [...cases.values()],
    errors: [...errors.entries()]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, ERRORS_KEPT),
  };
}

/**
 * `read()` of a row, or, where its `input` or `error` is nested deeper than the stack can walk
 * (a few thousand levels, a few kilobytes of JSON), a sentence that says so: the gate fails
 * closed on that row, never with a bare "Maximum call stack size exceeded".
 */
function readable<T>(row: ExperimentEvent, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new BackendCallError(
      'POST /v1/experiment/{experiment_id}/fetch',
      `Braintrust row "${excerpt(row.id)}" holds an \`input\` or \`error\` nested too deeply to read; the gate fails closed.`,
    );
  }
}

/** Why a row was not evaluated (its error's first line, or its missing score), or undefined. */
function errorOf(
  row: ExperimentEvent,
  scoreName: string,
  score: number | null | undefined,
): string | undefined {
  if (row.error !== undefined && row.error !== null)
    return firstLine(textOf(row.error)) ?? 'Braintrust recorded an error without a message';
  if (typeof score !== 'number')
    return `not scored: ${excerpt(scoreName, 60)} is ${score === null ? 'null' : 'missing'}`;
  return undefined;
}

/**
 * A row's case: the dataset record it came from (`origin.id` where `origin.object_type` is
 * `dataset`), else its `input` (Braintrust itself matches cases across experiments by `input`),
 * hashed, so that the same case on main and on the change compare.
 */
export function caseIdOf(row: ExperimentEvent): string {
  const key =
    row.origin?.object_type === 'dataset'
      ? `dataset:${row.origin.id}`
      : `input:${canonical(row.input ?? null)}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** How a reviewer reads a case: its input, as text, cut short. Outside text: escaped where rendered. */
function caseNameOf(row: ExperimentEvent): string {
  const input = row.input ?? null;
  const text = typeof input === 'string' ? input : canonical(input);
  return excerpt(text.replace(/\s+/g, ' ').trim() || '(empty input)', CASE_TEXT_MAX_CHARS);
}

/** An error as text: a string as it is, an object's `message`, else its JSON. */
function textOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (
    error &&
    typeof error === 'object' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
    return (error as { message: string }).message;
  return JSON.stringify(error) ?? String(error);
}

/** JSON with keys sorted at every depth: the same input written in another order is the same case. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(
            Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
              a < b ? -1 : a > b ? 1 : 0,
            ),
          )
        : inner,
    ) ?? 'null'
  );
}

import { readFileSync } from 'node:fs';
import { OpenApiValidator } from './openapi.js';

// What the fake Braintrust (fake-braintrust.ts) holds and is held to: Braintrust's published
// description, the fake's ids, and the rows its experiments are made of.

let validator: OpenApiValidator | undefined;
let spec: Record<string, unknown> | undefined;
/** Braintrust's published OpenAPI description (a copy of ../shared/reference/braintrust-openapi.json). */
export function braintrustDescription(): OpenApiValidator {
  spec ??= JSON.parse(
    readFileSync(new URL('../fixtures/braintrust-openapi.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  validator ??= new OpenApiValidator(withoutUntypedNullable(spec) as never);
  return validator;
}

/**
 * The description as ajv reads it: OpenAPI 3.0's `nullable` beside no `type` (Braintrust's
 * `input`, `output`, `error`: any JSON value) says nothing more, and ajv refuses it there.
 */
function withoutUntypedNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutUntypedNullable);
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(record)
      .filter(([key]) => key !== 'nullable' || 'type' in record)
      .map(([key, value]) => [key, withoutUntypedNullable(value)]),
  );
}

export const FAKE_BRAINTRUST_TOKEN = 'bt_test_key_5d2f9a1c';
export const ORG_ID = '0c7e3a51-2b4d-4f6a-8c9e-1a3b5c7d9e0f';
export const ORG_NAME = 'octo org';
export const PROJECT_ID = '5b1d3f7a-9c2e-4a6b-8d0f-2e4a6c8b0d1f';
export const PROJECT_NAME = 'support-agent';
export const EXPERIMENT_NAME = 'pr-1347';

/** One row (a root span) of an experiment: its input, its scores, an error. */
export interface FakeRow {
  input: unknown;
  /** Scores by name; `score` is shorthand for `{ Factuality: score }`. */
  scores?: Record<string, number | null>;
  score?: number | null;
  error?: unknown;
  /** The dataset record the row came from. */
  datasetRecord?: string;
  tokens?: number;
}

/** An experiment the fake holds. */
export interface FakeExperiment {
  id: string;
  name: string;
  projectId: string;
  rows: FakeRow[];
  deleted?: boolean;
}

export interface FakeBraintrustOptions {
  /** The experiments, each of a project of {@link projects}; by default one named {@link EXPERIMENT_NAME}. */
  experiments?: FakeExperiment[];
  /** Projects beyond the default one: `id`, `name` and `org`. */
  projects?: { id: string; name: string; orgId: string }[];
  /** Traces per page, whatever the request's `limit` asks (default: its `limit`). */
  pageSize?: number;
  /**
   * Braintrust pages over the version history: each page after the first starts with this many
   * rows of the page before, at an older `_xact_id` and with a score of 0 (an outdated version).
   */
  staleRepeats?: number;
}

/** An experiment of the default project named {@link EXPERIMENT_NAME}, with these rows. */
export function experimentOf(rows: FakeRow[], extra: Partial<FakeExperiment> = {}): FakeExperiment {
  return {
    id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    name: EXPERIMENT_NAME,
    projectId: PROJECT_ID,
    rows,
    ...extra,
  };
}

/** `n` rows of distinct inputs, `failing` of them (the last) scoring 0.2, the others 1. */
export function rowsOf(n: number, failing = 0): FakeRow[] {
  return Array.from({ length: n }, (_, i) => ({
    input: { question: `question ${i + 1}` },
    score: i >= n - failing ? 0.2 : 1,
    datasetRecord: `record-${i + 1}`,
    tokens: 100,
  }));
}

/** Ten dataset records (rows of {@link rowsOf}), those at `failing` (0-based) scoring 0.2, the others 1. */
export function recordsFailingAt(failing: readonly number[]): FakeRow[] {
  return rowsOf(10).map((row, i) => (failing.includes(i) ? { ...row, score: 0.2 } : row));
}

/**
 * The experiment `braintrust eval` logged on main's commit `sha`: one of its own (an id and a
 * name of the commit's), in the default project. Main's verdicts compare with a pull request's
 * on the project, the score and the records, never on the experiment.
 */
export function experimentOfCommit(rows: FakeRow[], sha: string): FakeExperiment {
  const id = `${sha.slice(0, 8)}-${sha.slice(8, 12)}-4${sha.slice(13, 16)}-8${sha.slice(17, 20)}-${sha.slice(20, 32)}`;
  return experimentOf(rows, { id, name: `main-${sha.slice(0, 7)}` });
}

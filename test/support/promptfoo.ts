import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch.js';

/**
 * The results files the real promptfoo wrote (scripts/promptfoo-fixtures.sh regenerates them from
 * test/fixtures/promptfoo/suites/ with a pinned promptfoo): every promptfoo test reads these.
 */
export const PROMPTFOO_RESULTS = resolve(
  fileURLToPath(new URL('../fixtures/promptfoo/results', import.meta.url)),
);

/** The results files there, by what their suite does. */
export const PROMPTFOO_FILES = {
  /** support agent, 4 tests, all pass, every row priced. */
  pass: 'support-pass.json',
  /** the same suite with 2 assertions failing; one test's description and assertion are hostile text. */
  regressed: 'support-regressed.json',
  /** search agent: 2 provider errors (failureReason 2), 1 failure, 2 passes, one row unpriced. */
  errors: 'search-errors.json',
  /** billing agent with --repeat 3: 5 cases, one flaky (2 of 3), one failing every time. */
  repeats: 'billing-repeats.json',
} as const;

/** A results file as JSON, to change a copy of (a hostile or broken file is a real one, altered). */
export function promptfooJson(name: keyof typeof PROMPTFOO_FILES): {
  results: { version: number; results: Record<string, unknown>[]; stats: Record<string, unknown> };
  [key: string]: unknown;
} {
  return JSON.parse(readFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES[name]), 'utf8'));
}

/** A results file for a workspace: a real one by name, or a text (a real one, altered). */
export type PromptfooSource = keyof typeof PROMPTFOO_FILES | { text: string };

/**
 * A workspace holding results files: the real ones copied in as `results.json` or under their
 * own names, and any `altered` text written as given. Removed after the test file.
 */
export function promptfooWorkspace(files: Record<string, PromptfooSource> = {}): string {
  const dir = scratchDir('promptfoo');
  for (const [name, source] of Object.entries(files)) {
    if (typeof source === 'string')
      copyFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES[source]), join(dir, name));
    else writeFileSync(join(dir, name), source.text);
  }
  return dir;
}

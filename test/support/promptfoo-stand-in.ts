import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from './promptfoo.js';
import { ACTION_NODE } from './runner.js';
import { scratchDir } from './scratch.js';
import { onPath } from './tools.js';

/**
 * The promptfoo the examples run, in the tests: `npx --yes promptfoo@0.123.1 eval ... -o FILE`
 * cannot run there (promptfoo installs about 1.5 GB; the tests are offline), so the examples'
 * runners (test/support/workflow.ts, jenkins.ts, gitlab-ci-local.ts) put a folder first on PATH
 * whose `npx` is test/support/promptfoo-npx.mjs: for `promptfoo@<this version> eval` it copies a
 * results file the real promptfoo wrote (test/fixtures/promptfoo/results/) to the `-o` path and
 * exits as promptfoo does (100 on a failed row, unless PROMPTFOO_FAILED_TEST_EXIT_CODE says
 * otherwise); any other `npx` call goes to the real npx. It refuses loudly an unpinned or other
 * version, another command, an eval without `-o` or with a config that is not there: the example
 * as written runs through the runner, and the gate reads a file the real promptfoo wrote.
 */

/** The promptfoo version that wrote the committed results files (scripts/promptfoo-fixtures.sh): the one the examples pin. */
export const PROMPTFOO_VERSION = /^PROMPTFOO_VERSION=(\S+)$/m.exec(
  readFileSync(
    fileURLToPath(new URL('../../scripts/promptfoo-fixtures.sh', import.meta.url)),
    'utf8',
  ),
)![1]!;

const SCRIPT = resolve(fileURLToPath(new URL('./promptfoo-npx.mjs', import.meta.url)));

/** One `promptfoo eval` the stand-in answered: where, with which arguments, what it wrote. */
export interface PromptfooEval {
  cwd: string;
  args: string[];
  outputs: string[];
  config: string;
  results: string;
}

/** A folder to put first on PATH, and what was run through it. */
export interface PromptfooStandIn {
  /** The folder holding the `npx` stand-in. */
  bin: string;
  /** The evals it answered so far, oldest first. */
  evals(): PromptfooEval[];
}

/** The first executable `npx` on PATH outside `bin`: the real one, for every call that is not promptfoo's. */
function realNpx(bin: string): string {
  const elsewhere = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && resolve(dir) !== bin)
    .join(delimiter);
  const npx = onPath('npx', elsewhere);
  if (!npx) throw new Error('no npx on PATH: the promptfoo stand-in passes other npx calls to it');
  return npx;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A new stand-in whose `promptfoo eval` writes `results` (a committed results file, by what its suite does). */
export function promptfooStandIn(results: keyof typeof PROMPTFOO_FILES = 'pass'): PromptfooStandIn {
  const dir = scratchDir('promptfoo-stand-in');
  const bin = join(dir, 'bin');
  const log = join(dir, 'evals.jsonl');
  const settings = {
    PROMPTFOO_STAND_IN_RESULTS: join(PROMPTFOO_RESULTS, PROMPTFOO_FILES[results]),
    PROMPTFOO_STAND_IN_VERSION: PROMPTFOO_VERSION,
    PROMPTFOO_STAND_IN_NPX: realNpx(bin),
    PROMPTFOO_STAND_IN_LOG: log,
  };
  const npx = join(bin, 'npx');
  writeFileSync(log, '');
  mkdirSync(bin);
  // The settings are the wrapper's own: an example's environment cannot change what it copies.
  writeFileSync(
    npx,
    `#!/bin/sh\n${Object.entries(settings)
      .map(([name, value]) => `export ${name}=${quote(value)}\n`)
      .join('')}exec ${quote(ACTION_NODE)} ${quote(SCRIPT)} "$@"\n`,
  );
  chmodSync(npx, 0o755);
  return {
    bin,
    evals: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as PromptfooEval),
  };
}

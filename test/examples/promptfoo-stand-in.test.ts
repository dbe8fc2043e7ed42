import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from '../support/promptfoo.js';
import { PROMPTFOO_VERSION, promptfooStandIn } from '../support/promptfoo-stand-in.js';
import { scratchDir } from '../support/scratch.js';

/**
 * The promptfoo stand-in the examples' tests put on PATH (test/support/promptfoo-stand-in.ts)
 * answers only what the real promptfoo would answer with a results file, and refuses the rest
 * loudly: an example cannot pass through it by accident.
 */

const standIn = promptfooStandIn('regressed');

function npx(args: string[], env: Record<string, string> = {}, config = true) {
  const cwd = scratchDir('promptfoo-cwd');
  if (config) writeFileSync(join(cwd, 'promptfooconfig.yaml'), 'description: a suite\n');
  return new Promise<{ code: number; output: string; cwd: string }>((resolve) =>
    execFile(
      'npx',
      args,
      {
        cwd,
        // A child of its own environment keeps npm's temporary files and Node's compile cache in
        // its scratch folder, never in /tmp.
        env: {
          PATH: `${standIn.bin}:${process.env.PATH ?? ''}`,
          HOME: cwd,
          TMPDIR: cwd,
          NODE_COMPILE_CACHE: join(cwd, '.compile-cache'),
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: stdout + stderr,
          cwd,
        }),
    ),
  );
}

const pinned = `promptfoo@${PROMPTFOO_VERSION}`;

describe('the promptfoo stand-in', () => {
  it('copies the real results file to -o and exits as promptfoo does: 100 on a failed test, unless PROMPTFOO_FAILED_TEST_EXIT_CODE says otherwise', async () => {
    const before = standIn.evals().length;
    const failed = await npx([
      '--yes',
      pinned,
      'eval',
      '-c',
      'promptfooconfig.yaml',
      '-o',
      'out/results.json',
    ]);
    expect(failed.code, failed.output).toBe(100);
    expect(readFileSync(join(failed.cwd, 'out/results.json'), 'utf8')).toBe(
      readFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.regressed), 'utf8'),
    );
    const decided = await npx(['--yes', pinned, 'eval', '--output=results.json'], {
      PROMPTFOO_FAILED_TEST_EXIT_CODE: '0',
      // The example's environment cannot choose what the stand-in copies.
      PROMPTFOO_STAND_IN_RESULTS: join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.pass),
    });
    expect(decided.code, decided.output).toBe(0);
    expect(
      JSON.parse(readFileSync(join(decided.cwd, 'results.json'), 'utf8')).results.stats.failures,
    ).toBeGreaterThan(0);
    expect(standIn.evals().length - before).toBe(2);
  });

  it.each([
    [['--yes', 'promptfoo', 'eval', '-o', 'results.json'], 'pin promptfoo'],
    [['--yes', 'promptfoo@0.120.0', 'eval', '-o', 'results.json'], 'pin promptfoo'],
    [['--yes', pinned, 'view'], 'only `promptfoo eval`'],
    [['--yes', pinned, 'eval', '-c', 'promptfooconfig.yaml'], 'without -o FILE'],
    [['--yes', pinned, 'eval', '-o', 'results.html'], 'JSON results only'],
    [
      ['--yes', pinned, 'eval', '-c', 'suite.yaml', '-o', 'results.json'],
      'the config suite.yaml is not in',
    ],
  ])('refuses npx %j loudly, writing nothing', async (args, says) => {
    const before = standIn.evals().length;
    const run = await npx(args);
    expect(run.code, run.output).toBe(97);
    expect(run.output).toContain(says);
    expect(existsSync(join(run.cwd, 'results.json'))).toBe(false);
    expect(standIn.evals().length).toBe(before);
  });

  it('refuses an eval with no config where promptfoo would look', async () => {
    const run = await npx(['--yes', pinned, 'eval', '-o', 'results.json'], {}, false);
    expect(run.code, run.output).toBe(97);
    expect(run.output).toContain('the config promptfooconfig.yaml is not in');
  });

  it('passes any other npx call to the real npx', async () => {
    const run = await npx(['--version']);
    expect(run.code, run.output).toBe(0);
    expect(run.output.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

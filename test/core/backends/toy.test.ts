import { spawn } from 'node:child_process';
import { cp, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../support/runner.js';
import { render } from '../../support/render.js';
import { scratchDir } from '../../support/scratch.js';

/**
 * "Adding a backend is a folder and a registry line": the source tree is copied, the toy
 * backend of `./toy/` dropped in as `src/core/backends/toy/`, one import and one entry added to
 * the registry, nothing else touched; then the copy type-checks and runs a gate, its baseline
 * and its history with the toy, through the command line's own entry point.
 */
let tree: string;
let reports: string;

const TSX = createRequire(import.meta.url).resolve('tsx/esm');

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], env: Record<string, string> = {}): Promise<Exited> {
  const child = spawn(command, args, {
    cwd: tree,
    // tsx keeps a cache in $TMPDIR unless told not to, and turns on Node's compile cache, kept in
    // $TMPDIR too (/tmp when none is given): both stay in the copied tree, removed with it.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tree,
      TMPDIR: tree,
      NODE_COMPILE_CACHE: join(tree, '.compile-cache'),
      TSX_DISABLE_CACHE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The copied tree's command line, run from its TypeScript source, in a GitLab job. */
const gate = (args: string[], sha: string, mergeRequest = '') =>
  exec(process.execPath, ['--import', TSX, join(tree, 'src/cli/index.ts'), ...args], {
    GITLAB_CI: 'true',
    CI: 'true',
    CI_PROJECT_PATH: 'acme/agents',
    CI_COMMIT_SHA: sha,
    CI_MERGE_REQUEST_IID: mergeRequest,
    CI_PIPELINE_ID: '7',
    CI_JOB_ID: '8',
    GATE_TOKEN: 'toy-token',
  });

beforeAll(async () => {
  tree = scratchDir('toy-backend');
  reports = join(tree, 'reports');
  await cp(join(REPOSITORY_ROOT, 'src'), join(tree, 'src'), { recursive: true });
  await cp(join(REPOSITORY_ROOT, 'package.json'), join(tree, 'package.json'));
  await symlink(join(REPOSITORY_ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  // The one folder…
  await cp(join(import.meta.dirname, 'toy'), join(tree, 'src/core/backends/toy'), {
    recursive: true,
  });
  // …and the one registry line (with its import).
  const registry = join(tree, 'src/core/backends/registry.ts');
  const before = await readFile(registry, 'utf8');
  const after = before
    .replace(/^/, "import { toy } from './toy/index.js';\n")
    .replace(/BACKENDS = \[([^\]]*)\]/, 'BACKENDS = [$1, toy]');
  expect(after).toMatch(/BACKENDS = \[[^\]]*, toy\]/);
  await writeFile(registry, after);
  const config = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'tsconfig.json'), 'utf8'));
  await writeFile(
    join(tree, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: config.compilerOptions, include: ['src'] }),
  );
});

describe('a third backend is a folder and a registry line', () => {
  it('type-checks with the rest of the source untouched', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const checked = await exec(process.execPath, [tsc, '--noEmit', '-p', tree]);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  }, 120_000);

  it("offers the toy's inputs as flags, from its declarations", async () => {
    const help = await exec(process.execPath, [
      '--import',
      TSX,
      join(tree, 'src/cli/index.ts'),
      '--help',
    ]);
    expect(help.code).toBe(0);
    for (const flag of ['--toy-suite', '--toy-score', '--min-toy-score', '--max-toy-score-drop'])
      expect(help.stdout).toContain(flag);
    expect(help.stdout).toMatch(/--backend\b.*toy|toy.*--backend/s);
  }, 60_000);

  it('gates, compares with the base branch and reads its history with the toy', async () => {
    // Three pipelines on main: the toy score 0.9, 0.88, 0.92; tool `search` failed in the second.
    const main = [
      { score: '0.9', failing: '' },
      { score: '0.88', failing: 'search' },
      { score: '0.92', failing: '' },
    ];
    for (const [i, { score, failing }] of main.entries()) {
      const run = await gate(
        [
          '--backend',
          'toy',
          '--toy-suite',
          'smoke',
          '--toy-score',
          score,
          ...(failing ? ['--toy-failing', failing] : []),
          '--min-toy-score',
          '0.5',
          '--report',
          join(reports, `main-${i}.json`),
        ],
        `${i + 1}`.repeat(40),
      );
      expect(run.code, run.stderr).toBe(0);
    }
    // Another suite's report, written last, is never this suite's baseline nor in its history.
    const other = await gate(
      [
        '--backend',
        'toy',
        '--toy-suite',
        'other',
        '--toy-score',
        '0.1',
        '--report',
        join(reports, 'other.json'),
      ],
      '9'.repeat(40),
    );
    expect(other.code).toBe(0);

    const markdown = join(tree, 'gate.md');
    const change = await gate(
      [
        '--backend',
        'toy',
        '--toy-suite',
        'smoke',
        '--toy-score',
        '0.8',
        '--toy-failing',
        'search,checkout',
        '--min-toy-score',
        '0.5',
        '--max-toy-score-drop',
        '0.05',
        '--history-dir',
        reports,
        '--markdown',
        markdown,
      ],
      'c'.repeat(40),
      '42',
    );
    // The toy said pass (0.8 ≥ 0.5), and the gate fails it on the drop against main's newest.
    expect(change.code, change.stdout + change.stderr).toBe(1);
    expect(change.stdout.trim().split('\n').at(-1)).toMatch(
      /^fail: .*toy score drop 0\.12 > 0\.05/,
    );
    const seen = render(await readFile(markdown, 'utf8'));
    const text = seen.text.replaceAll('\u200d', '');
    expect(seen.rows[0]).toEqual([
      '',
      'Figure',
      'Value',
      `Base ${'3'.repeat(7)} (pass)`,
      'Δ',
      'Threshold',
    ]);
    expect(text).toMatch(/Base branch \(toy score, its last 3 comparable verdicts/);
    const tools = seen.rows
      .filter((row) => row.length === 3 && row[0] !== 'Tool')
      .map((row) => [row[0]?.replaceAll('\u200d', ''), row[2]]);
    expect(tools).toEqual([
      ['checkout', 'new: never failed in 3 base-branch verdicts'],
      ['search', expect.stringMatching(/^known: failed in 1 of 3/)],
    ]);
  }, 120_000);
});

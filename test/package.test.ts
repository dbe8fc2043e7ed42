import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './support/scratch.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs a command with a bare environment (no GATE_ variable of the test runner's leaks in), its
 * home, temporary files and npm's compile cache (Node 22 and later) in `scratch`.
 */
function run(
  command: string,
  args: string[],
  cwd: string,
  scratch: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: scratch,
          TMPDIR: scratch,
          NODE_COMPILE_CACHE: join(scratch, 'compile-cache'),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('the npm package', () => {
  it('holds the bundles, README, LICENSE and package.json only, declares no runtime dependency, and runs offline from its tarball', async () => {
    const dir = scratchDir('pack');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], root, dir);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    expect(
      paths.filter(
        (p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(p),
      ),
    ).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/cli/index.js',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies?: object;
      engines: { node: string };
    };
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines.node).toBe('>=22');
    // npx from the tarball, with an empty cache and no network: nothing to fetch, since the bundle holds it all.
    const help = await run(
      'npm',
      [
        'exec',
        '--yes',
        '--offline',
        '--cache',
        join(dir, 'npm-cache'),
        '--package',
        join(dir, info!.filename),
        '--',
        'agent-reliability-gate',
        '--help',
      ],
      dir,
      dir,
    );
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: agent-reliability-gate [flags]');
    expect(help.stdout).toContain('--repeats VALUE');
  });
});

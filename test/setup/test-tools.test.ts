import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import {
  findChromium,
  gitlabCiLocalMissing,
  onPath,
  pathWithout,
  testToolNotices,
} from '../support/tools.js';

const HIDDEN = ['cmark-gfm', 'chromium', 'chromium-browser', 'rsync'];
const REQUIRED = ['CMARK_GFM_REQUIRED', 'CHROMIUM_REQUIRED', 'GITLAB_CI_LOCAL_REQUIRED'];

/** This process's environment without CI's `*_REQUIRED` variables and with `PATH` as given. */
function machine(path: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !REQUIRED.includes(name) && !name.startsWith('VITEST'),
    ),
  );
  return { ...env, PATH: path, ...extra };
}

describe('the test tools, looked up as a shell looks them up', () => {
  it('finds nothing that a PATH without the tools lacks, and still finds the rest', () => {
    const bare = pathWithout(HIDDEN);
    for (const tool of HIDDEN) expect(onPath(tool, bare), tool).toBeUndefined();
    expect(findChromium(bare)).toBeUndefined();
    expect(onPath('node', bare) ?? onPath('git', bare)).toBeDefined();
    expect(onPath('cmark-gfm', '')).toBeUndefined();
    expect(gitlabCiLocalMissing(machine(bare))).toContain('rsync');
  });

  it('says one line per missing tool, with how to get it', () => {
    const notices = testToolNotices(machine(pathWithout(HIDDEN)));
    expect(notices).toHaveLength(3);
    expect(notices[0]).toMatch(/^cmark-gfm is not installed: .*\(apt-get install cmark-gfm\)\.$/);
    expect(notices[1]).toMatch(/^Chromium is not installed: .*apt-get install chromium/);
    expect(notices[2]).toMatch(/^gitlab-ci-local needs rsync: .*apt-get install rsync/);
    for (const notice of notices) expect(notice).not.toContain('\n');
  });

  it('fails, naming the variable, when CI requires a tool that is missing', () => {
    const bare = pathWithout(HIDDEN);
    expect(() => testToolNotices(machine(bare, { CMARK_GFM_REQUIRED: '1' }))).toThrow(
      'cmark-gfm is not installed, but CMARK_GFM_REQUIRED=1 requires it.',
    );
    expect(() => testToolNotices(machine(bare, { CHROMIUM_REQUIRED: '1' }))).toThrow(
      'Chromium is not installed, but CHROMIUM_REQUIRED=1 requires it.',
    );
    expect(() => testToolNotices(machine(bare, { GITLAB_CI_LOCAL_REQUIRED: '1' }))).toThrow(
      /gitlab-ci-local needs rsync, but GITLAB_CI_LOCAL_REQUIRED=1 requires it/,
    );
  });
});

/** `vitest run FILES` as `npm test` runs it, on a machine whose PATH is `path`. */
function vitest(
  files: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  const tmp = scratchDir('nested-vitest');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPOSITORY_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files],
      {
        cwd: REPOSITORY_ROOT,
        env: { ...env, TMPDIR: tmp, NODE_COMPILE_CACHE: join(tmp, 'compile-cache') },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: stdout + stderr,
        }),
    );
  });
}

// Two test files that both render with every engine there is (test/support/render.ts).
const RENDERING = ['test/core/render/markdown.test.ts', 'test/core/render/attempts.test.ts'];

describe('a test run on a machine without the test tools', () => {
  it('passes, and says once, not once per test file, that each is missing', async () => {
    const { code, output } = await vitest(RENDERING, machine(pathWithout(HIDDEN)));
    expect(code, output).toBe(0);
    expect(output.match(/cmark-gfm is not installed/g), output).toHaveLength(1);
    expect(output.match(/Chromium is not installed/g), output).toHaveLength(1);
    expect(output.match(/gitlab-ci-local needs rsync/g), output).toHaveLength(1);
  }, 120_000);

  it('fails when CI says a missing tool is required', async () => {
    const { code, output } = await vitest(
      RENDERING,
      machine(pathWithout(HIDDEN), { CMARK_GFM_REQUIRED: '1' }),
    );
    expect(code, output).not.toBe(0);
    expect(output).toContain('cmark-gfm is not installed, but CMARK_GFM_REQUIRED=1 requires it.');
  }, 120_000);
});

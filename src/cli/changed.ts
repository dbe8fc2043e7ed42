import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ChangedFiles } from '../core/gates/types.js';
import { excerpt } from '../core/support/text.js';
import { CHANGED_FILES_MAX_MS } from '../core/run/timing.js';

const run = promisify(execFile);

/** Lines a `--changed-files` file may hold: a list of changed paths, not a disk's. */
const MAX_CHANGED_FILES = 100_000;

/** Where the command line reads which files a change touched, for many gates (`--config`). */
export type ChangeSource =
  { kind: 'file'; path: string } | { kind: 'git'; ref: string; from: string } | { kind: 'none' };

/**
 * Where the changed files come from: `--changed-files`, else `--changed-since`, else on a GitLab
 * merge request pipeline `CI_MERGE_REQUEST_DIFF_BASE_SHA`; none of them: every gate runs.
 */
export function changeSourceOf(
  given: { changedFiles?: string; changedSince?: string },
  env: NodeJS.ProcessEnv,
): ChangeSource {
  if (given.changedFiles !== undefined) return { kind: 'file', path: given.changedFiles };
  if (given.changedSince !== undefined)
    return { kind: 'git', ref: given.changedSince, from: '--changed-since' };
  const base = env.GITLAB_CI === 'true' ? env.CI_MERGE_REQUEST_DIFF_BASE_SHA?.trim() : undefined;
  if (base) return { kind: 'git', ref: base, from: 'CI_MERGE_REQUEST_DIFF_BASE_SHA' };
  return { kind: 'none' };
}

/** Why the flags that name the changed files cannot be read as given, one sentence each (before any call). */
export function changeSourceProblems(
  given: { changedFiles?: string; changedSince?: string },
  config: string | undefined,
): string[] {
  const problems: string[] = [];
  const named = [
    ...(given.changedFiles !== undefined ? ['--changed-files'] : []),
    ...(given.changedSince !== undefined ? ['--changed-since'] : []),
  ];
  if (named.length > 0 && !config?.trim())
    problems.push(
      `Flag ${named.join(' and ')} ${named.length === 1 ? 'chooses' : 'choose'} which gates of a --config file run; set --config too, or remove ${named.length === 1 ? 'it' : 'them'}`,
    );
  if (named.length === 2)
    problems.push(
      'Flags --changed-files and --changed-since both name the changed files; give one of them',
    );
  if (given.changedSince !== undefined && !/^[\w./@^~{}-]{1,200}$/.test(given.changedSince))
    problems.push(
      'Flag --changed-since takes a git revision (a branch, a tag or a commit, e.g. origin/main); write one without spaces',
    );
  else if (given.changedSince?.startsWith('-'))
    problems.push('Flag --changed-since takes a git revision, which cannot start with `-`');
  return problems;
}

/**
 * The files the change touched: the lines of `--changed-files` (one path a line), or
 * `git diff --name-only REF...HEAD` (what the branch changed since it left REF). A file that
 * cannot be read is bad input (said before any call, by the caller); git that cannot compare
 * (a shallow clone without REF) runs every gate, said.
 */
export async function readChangeSource(source: ChangeSource, cwd: string): Promise<ChangedFiles> {
  if (source.kind === 'none')
    return {
      all: 'no --changed-files, --changed-since or merge request diff base names the changed files',
    };
  if (source.kind === 'file') {
    const files = await readChangedFilesFile(source.path, cwd);
    if (typeof files === 'string') return { all: files, warn: true };
    if (files.length === 0)
      return {
        all: `${excerpt(source.path, 200)} lists no changed file (a diff step that failed writes an empty one)`,
      };
    return {
      files,
      source: `the ${files.length} ${files.length === 1 ? 'file' : 'files'} listed in ${excerpt(source.path, 200)}`,
    };
  }
  try {
    const { stdout } = await run(
      'git',
      // --no-renames: a file moved out of a gate's paths changed there too, under its old name.
      ['diff', '--name-only', '--no-renames', '-z', `${source.ref}...HEAD`, '--'],
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        timeout: CHANGED_FILES_MAX_MS,
      },
    );
    const files = stdout.split('\0').filter(Boolean);
    if (files.length === 0)
      return { all: `git lists no file changed since ${excerpt(source.ref, 60)}` };
    return {
      files,
      source: `the ${files.length} ${files.length === 1 ? 'file' : 'files'} changed since ${excerpt(source.ref, 60)} (\`git diff ${excerpt(source.ref, 60)}...HEAD\`, from ${source.from})`,
    };
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.split('\n')[0] || (error as Error).message;
    return {
      all: `git could not compare ${excerpt(source.ref, 60)}...HEAD (${excerpt(said.trim(), 200)}); fetch the history it needs (e.g. \`GIT_DEPTH: 0\` on GitLab, \`fetch-depth: 0\` with actions/checkout)`,
      warn: true,
    };
  }
}

/**
 * Why `--changed-since REF` cannot be used, or undefined: git must know REF here (a typo, or a
 * shallow clone that has not fetched it). Said before any call; GitLab's own diff base, which
 * the user did not type, runs every gate instead when git lacks it.
 */
export async function revisionProblem(ref: string, cwd: string): Promise<string | undefined> {
  try {
    await run('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd,
      timeout: CHANGED_FILES_MAX_MS,
    });
    return undefined;
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.split('\n')[0]?.trim();
    return `Flag --changed-since names ${JSON.stringify(excerpt(ref, 60))}, which git does not know here${said ? ` (${excerpt(said, 160)})` : ''}; check the name, and fetch it first in a shallow clone (\`git fetch origin main\`, \`fetch-depth: 0\` with actions/checkout, \`GIT_DEPTH: 0\` on GitLab)`;
  }
}

/** The paths a `--changed-files` file lists, or why it cannot be read. */
export async function readChangedFilesFile(
  path: string,
  cwd = process.cwd(),
): Promise<string[] | string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `Flag --changed-files names ${JSON.stringify(excerpt(path, 200))}, which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}; write the changed paths to it, one a line (e.g. \`git diff --name-only --no-renames origin/main...HEAD > changed.txt\`)`;
  }
  // `git diff -z` separates names with NUL and quotes none; a line a name otherwise, as git quotes it.
  const names = text.includes('\0')
    ? text.split('\0')
    : text.split(/\r?\n/).map((line) => unquoteGitPath(line.trim()));
  const files = [...new Set(names.map((name) => fromRoot(name, cwd)).filter(Boolean))];
  if (files.length > MAX_CHANGED_FILES)
    return `Flag --changed-files names a file of ${files.length} paths, more than ${MAX_CHANGED_FILES.toLocaleString('en-US')}; list the changed paths only`;
  return files;
}

/**
 * A listed name from the repository's root: `\\` as `/`, and a name written from the root
 * (`/agents/a.py`, `./agents/a.py`) or in full (`$PWD/agents/a.py`) as the path under it.
 */
function fromRoot(name: string, cwd: string): string {
  const slashed = name.replaceAll('\\', '/');
  const root = `${cwd.replaceAll('\\', '/').replace(/\/+$/, '')}/`;
  const inside = slashed.startsWith(root) ? slashed.slice(root.length) : slashed;
  return inside.replace(/^(\.?\/)+/, '');
}

/** The escapes git writes in a quoted path name (`core.quotePath`), but octal bytes. */
const GIT_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/**
 * A path name as git prints it, unquoted: git writes a name holding a byte outside printable
 * ASCII, a `"` or a `\` between double quotes, with C escapes and each such byte in octal
 * (`"agents/billing/caf\303\251.ts"`). Read literally, that name matches no gate's paths and
 * the gate would pass unevaluated; a line that is not quoted is the name itself.
 */
export function unquoteGitPath(line: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(line);
  if (!quoted) return line;
  const bytes: number[] = [];
  const body = quoted[1] ?? '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const octal = /^[0-3][0-7]{2}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
      continue;
    }
    const next = body[i + 1] ?? '';
    bytes.push(GIT_ESCAPES[next] ?? next.charCodeAt(0));
    i += 1;
  }
  return Buffer.from(bytes).toString('utf8');
}

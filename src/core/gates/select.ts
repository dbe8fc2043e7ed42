import { posix } from 'node:path';
import picomatch from 'picomatch';
import { excerpt } from '../support/text.js';
import type { ChangedFiles } from './types.js';

/** Characters a glob's `*` may not match (picomatch's `.` stops at line breaks). */
// eslint-disable-next-line no-control-regex
const UNMATCHABLE = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/**
 * Whether a changed file is `path` (a file the step reads, or an entry's own; a folder ending
 * in `/`: any file under it): the same path from the repository's root, or (the workspace being
 * a folder of the repository, or the repository one of the workspace) the same path at the end
 * of the other. When unsure, it is: every entry then runs.
 */
function sameFile(file: string, path: string): boolean {
  const changed = file.replace(/^\.\//, '');
  if (path.endsWith('/')) return changed.startsWith(path) || changed.includes(`/${path}`);
  return changed === path || path.endsWith(`/${changed}`) || changed.endsWith(`/${path}`);
}

/** Changed files named in a reason at most; the rest are counted. */
const NAMED_FILES = 3;

/** An entry as the selection sees it: its name and its globs. */
export interface Selectable {
  name: string;
  paths: readonly string[];
  /** Files of its own that are no path of the agent's (its trace file): it runs when one changed. */
  files?: readonly string[];
}

/** Whether an entry runs, and why, as a clause. */
export interface Selected {
  name: string;
  ran: boolean;
  why: string;
}

/** A glob's length at most, and its `*` runs (`**` is one): picomatch's regular expressions backtrack, and a glob of many stars would take minutes on one long name. */
const MAX_GLOB_CHARS = 300;
const MAX_STARS = 3;
const MAX_STARS_IN_A_FOLDER = 2;
const MAX_BRACE_GROUPS = 2;
/** A changed name longer than this is not matched (every entry runs): matching costs grow with it. */
const MAX_MATCHED_NAME = 1024;

const GLOB_OPTIONS = { dot: true, noextglob: true } as const;

/**
 * Why a glob of `paths` cannot be used, or undefined: empty (`!` alone), longer than 300
 * characters, more than three `*` runs (two in one folder name), or what picomatch refuses.
 * Said before any call, naming the entry, so that no pull request meets it later.
 */
export function globProblem(written: string): string | undefined {
  const bare = written.startsWith('!') ? written.slice(1) : written;
  const globs = asGlobs(bare);
  if (globs.every((glob) => glob === ''))
    return `\`${excerpt(written, 60)}\` names no path; write a glob such as \`agents/support/**\``;
  if (written.length > MAX_GLOB_CHARS)
    return `a glob is ${written.length} characters long, more than ${MAX_GLOB_CHARS}; write a shorter one`;
  const runs = (text: string) => (text.match(/\*+/g) ?? []).length;
  // `(a|b)` reads as an alternation to one who knows regular expressions, and as a name in CODEOWNERS: neither silently.
  if (/(?<!\\)\|/.test(bare))
    return `\`${excerpt(written, 60)}\` holds a \`|\`, which is no alternation here (\`(\` and \`)\` are literal, as in CODEOWNERS): write \`{support,billing}\`, or \`\\|\` for the character`;
  // Braces expand to alternatives that backtrack as stars do: two groups at most, none nested.
  const groups = (bare.match(/(?<!\\)\{/g) ?? []).length;
  if (groups > MAX_BRACE_GROUPS || /\{[^}]*\{/.test(bare))
    return `\`${excerpt(written, 60)}\` has more than ${MAX_BRACE_GROUPS} \`{…}\` groups, or one inside another, which takes too long to match; list the globs instead`;
  if (
    runs(bare) > MAX_STARS ||
    bare.split('/').some((folder) => runs(folder) > MAX_STARS_IN_A_FOLDER)
  )
    return `\`${excerpt(written, 60)}\` has more than ${MAX_STARS} \`*\` (or ${MAX_STARS_IN_A_FOLDER} in one folder name), which takes too long to match; write it with fewer`;
  // `agents\\support\\**`, a folder written as Windows writes it, would match nothing: `\\s` is `s`.
  if (/\\[^*?{}[\]()!\\]/.test(bare) || bare.endsWith('\\'))
    return `\`${excerpt(written, 60)}\` holds a \`\\\`, which escapes the next character in a glob (\`\\*\` is a star); separate folders with \`/\``;
  const unmatched = neverMatchedProblem(bare, written.startsWith('!') ? '!' : '');
  if (unmatched) return `\`${excerpt(written, 60)}\` ${unmatched}`;
  try {
    picomatch(globs, GLOB_OPTIONS);
  } catch (error) {
    return `\`${excerpt(written, 60)}\` is not a glob picomatch can read (${excerpt((error as Error).message, 120)})`;
  }
  return undefined;
}

/** Why no changed path is ever matched by a glob as written (`lead`: its `!`), or undefined. */
function neverMatchedProblem(bare: string, lead: string): string | undefined {
  const glob = bare.trim();
  // GitHub and git list paths normalized, from the root: `a//b`, `a/./b` or `a/../b` is never
  // among them, and the entry would never run. A leading `/` or `./` is the root, as in CODEOWNERS.
  const root = `${lead}${/^\.?\//.exec(glob)?.[0] ?? ''}`;
  const path = glob.slice(root.length - lead.length);
  const names = path.split('/');
  const folder = path.endsWith('/') ? '/' : '';
  if (names.slice(0, -1).includes(''))
    return `has an empty folder name (\`//\`), which no changed path holds; write \`${excerpt(`${root}${names.filter(Boolean).join('/')}${folder}`, 60)}\``;
  const dotted = names.find((name) => name === '.' || name === '..');
  if (dotted) {
    const meant = posix.normalize(path);
    const fix =
      meant === '.' || meant === './'
        ? 'write `**` for every path'
        : meant.startsWith('..')
          ? "write the path from the repository's root"
          : `write \`${excerpt(`${root}${meant}`, 60)}\``;
    return `has a \`${dotted}\` folder name, which no changed path holds (GitHub and git list paths from the repository's root, without \`.\` or \`..\`); ${fix}`;
  }
  // picomatch reads `{support}` as the name `{support}`, not as `support`: a brace needs two alternatives (or a range).
  for (const [group, inner = ''] of glob.matchAll(/(?<!\\)\{([^{}]*)\}/g))
    if (!/(?<!\\),/.test(inner) && !inner.includes('..'))
      return inner
        ? `has \`${excerpt(group, 60)}\`, one alternative, which picomatch reads as the name \`${excerpt(group, 60)}\`; write \`${excerpt(inner, 60)}\`, or add another alternative (\`{${excerpt(inner, 30)},other}\`)`
        : 'has `{}`, no alternative, which picomatch reads as the name `{}`; remove it, or list the alternatives (`{support,billing}`)';
  return undefined;
}

/**
 * A matcher of an entry's `paths` (picomatch, dot files matched, `**` any number of folders,
 * names compared in Unicode's composed form): a path matches when a glob without `!` matches
 * it and no `!` glob does; with exclusions only, every other path matches.
 */
export function pathMatcher(paths: readonly string[]): (file: string) => boolean {
  const includes = paths.filter((glob) => !glob.startsWith('!')).flatMap(asGlobs);
  const excludes = paths
    .filter((glob) => glob.startsWith('!'))
    .flatMap((glob) => asGlobs(glob.slice(1)));
  const included = picomatch(includes.length > 0 ? includes : ['**'], GLOB_OPTIONS);
  const excluded = excludes.length > 0 ? picomatch(excludes, GLOB_OPTIONS) : () => false;
  return (file) => {
    const path = asPath(file);
    return included(path) && !excluded(path);
  };
}

/** A changed name as the globs are compared with it: from the root, in composed form (a name written on macOS may come decomposed). */
const asPath = (file: string): string => file.replace(/^\.\//, '').normalize('NFC');

/**
 * A path as CODEOWNERS users write it, as the globs it means: `/`-separated; one with a `/`
 * before its end is from the repository's root (a leading `/` or `./` is the root), one without
 * (`*.md`, `README.md`, `docs/`) matches at any depth, as in CODEOWNERS and .gitignore; `[`,
 * `]`, `(`, `)` and `|` are literal, as in CODEOWNERS (Next.js folders: `app/[id]/`, `app/(shop)/`);
 * `\\` escapes `*`, `?`, `{`, `}` or `!`; a folder (`agents/support/`, `agents/support`, or one
 * named with wildcards, such as `agents/{support,billing}`) is the folder and everything under
 * it, but for CODEOWNERS' one exception: a last name of a star alone is the files directly in
 * that folder. A folder named alone must not silently match nothing.
 */
function asGlobs(written: string): string[] {
  const trimmed = written.trim().normalize('NFC');
  const rooted = /^(\.\/|\/)/.test(trimmed);
  const glob = trimmed
    .replace(/^(\.\/|\/)+/, '')
    .replace(/(?<!\\)[[\]()|]/g, (literal) => `\\${literal}`);
  if (glob === '') return [''];
  // A name may be a folder, wildcards or not (`**/prompts`, `agents/*/prompts`, `agents/{a,b}`):
  // it reaches what is under it too. CODEOWNERS' one exception: a last folder name of `*` alone
  // (`docs/*`) is the files directly in that folder; one ending in `**` already reaches all.
  const globs = glob.endsWith('/')
    ? [`${glob}**`]
    : /(^|\/)\*\*?$/.test(glob)
      ? [glob]
      : [glob, `${glob}/**`];
  const anywhere = !rooted && !glob.replace(/\/$/, '').includes('/') && !glob.startsWith('**');
  return anywhere ? [...globs, ...globs.map((one) => `**/${one}`)] : globs;
}

/** A file whose change changes every entry: the config file, the workflow that runs the step. */
export interface StepDefinition {
  /** From the repository's root; a folder ends in `/`. */
  path: string;
  /** What it is, as a noun: "the config file". */
  what: string;
}

/**
 * Which entries a change reaches. Every entry runs when the door could not tell which files
 * changed (`all`), when a name cannot be matched for sure, or when a file that defines the step
 * (the config file, the workflow: every entry inherits its inputs) is among them; an entry
 * without `paths` always runs; any other runs when a changed file matches its `paths`, or is
 * one of its own files (its trace file).
 */
export function selectEntries(
  entries: readonly Selectable[],
  changed: ChangedFiles,
  definitions: readonly StepDefinition[],
): { selected: Selected[]; selection: string } {
  const every = (why: string, selection: string) => ({
    selected: entries.map(({ name }) => ({ name, ran: true, why })),
    selection: `Every gate ran: ${selection}.`,
  });
  if ('all' in changed) return every(changed.all, changed.all);
  // A name no glob can match as written (a line break in it) must not leave an entry out unseen.
  if (changed.files.some((file) => UNMATCHABLE.test(file)))
    return every(
      "a changed file's name holds a line break or a control character",
      `a file among ${changed.source} has a line break or a control character in its name, which no glob is sure to match`,
    );
  if (changed.files.some((file) => file.length > MAX_MATCHED_NAME))
    return every(
      `a changed file's name is longer than ${MAX_MATCHED_NAME} characters`,
      `a file among ${changed.source} has a name longer than ${MAX_MATCHED_NAME} characters, which is not matched`,
    );
  for (const definition of definitions) {
    const file = changed.files.find((one) => sameFile(one, definition.path));
    if (file)
      return every(
        `\`${excerpt(file, 120)}\` (${definition.what}) changed`,
        `\`${excerpt(file, 120)}\` (${definition.what}) is among ${changed.source}`,
      );
  }
  const selected = entries.map((entry): Selected => {
    const { name, paths } = entry;
    const own = (entry.files ?? []).filter((own) =>
      changed.files.some((file) => sameFile(file, own)),
    );
    if (own.length > 0)
      return { name, ran: true, why: `its own \`${excerpt(own[0] as string, 120)}\` changed` };
    if (paths.length === 0) return { name, ran: true, why: 'it has no `paths`: it always runs' };
    let hits: string[];
    let excludedOnly = false;
    try {
      hits = changed.files.filter(pathMatcher(paths));
      const includes = paths.filter((glob) => !glob.startsWith('!'));
      excludedOnly =
        hits.length === 0 &&
        includes.length > 0 &&
        includes.length < paths.length &&
        changed.files.some(pathMatcher(includes));
    } catch (error) {
      // Globs are checked before any call; one that still cannot be read runs its entry, said.
      return {
        name,
        ran: true,
        why: `its paths could not be matched (${excerpt((error as Error).message, 120)})`,
      };
    }
    if (hits.length === 0)
      return {
        name,
        ran: false,
        why: excludedOnly
          ? 'every changed file under its paths is excluded by a `!` glob'
          : 'no changed file is under its paths',
      };
    const named = hits
      .slice(0, NAMED_FILES)
      .map((file) => `\`${excerpt(file, 120)}\``)
      .join(', ');
    const more = hits.length > NAMED_FILES ? ` and ${hits.length - NAMED_FILES} more` : '';
    return { name, ran: true, why: `${named}${more} changed` };
  });
  const ran = selected.filter((entry) => entry.ran).length;
  return {
    selected,
    selection: `${ran} of ${entries.length} ${entries.length === 1 ? 'gate' : 'gates'} ran, chosen by ${changed.source}.`,
  };
}

import picomatch from 'picomatch';
import { excerpt } from '../support/text.js';
import type { ChangedFiles } from './types.js';

/** Characters a glob's `*` may not match (picomatch's `.` stops at line breaks). */
// eslint-disable-next-line no-control-regex
const UNMATCHABLE = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/**
 * Whether a changed file is the config file: the same path from the repository's root, or (the
 * workspace being a folder of the repository, or the repository one of the workspace) the same
 * path at the end of the other. When unsure, it is: every entry then runs.
 */
function isConfigFile(file: string, configPath: string): boolean {
  const changed = file.replace(/^\.\//, '');
  return (
    changed === configPath ||
    configPath.endsWith(`/${changed}`) ||
    changed.endsWith(`/${configPath}`)
  );
}

/** Changed files named in a reason at most; the rest are counted. */
const NAMED_FILES = 3;

/** An entry as the selection sees it: its name and its globs. */
export interface Selectable {
  name: string;
  paths: readonly string[];
}

/** Whether an entry runs, and why, as a clause. */
export interface Selected {
  name: string;
  ran: boolean;
  why: string;
}

/**
 * A matcher of an entry's `paths` (picomatch, dot files matched, `**` any number of folders): a
 * path matches when a glob without `!` matches it and no `!` glob does; with exclusions only,
 * every other path matches.
 */
export function pathMatcher(paths: readonly string[]): (file: string) => boolean {
  const options = { dot: true };
  const includes = paths.filter((glob) => !glob.startsWith('!')).flatMap(asGlobs);
  const excludes = paths
    .filter((glob) => glob.startsWith('!'))
    .flatMap((glob) => asGlobs(glob.slice(1)));
  const included = picomatch(includes.length > 0 ? includes : ['**'], options);
  const excluded = excludes.length > 0 ? picomatch(excludes, options) : () => false;
  return (file) => {
    const path = file.replace(/^\.\//, '');
    return included(path) && !excluded(path);
  };
}

/**
 * A path as CODEOWNERS and .gitignore users write it, as the globs it means: from the
 * repository's root (a leading `/` or `./` is the root), `/`-separated, and a folder
 * (`agents/support/`, or a name without a wildcard, `agents/support`) is the folder and
 * everything under it. A folder named alone must not silently match nothing.
 */
function asGlobs(written: string): string[] {
  const glob = written
    .trim()
    .replaceAll('\\', '/')
    .replace(/^(\.\/|\/)+/, '');
  if (glob.endsWith('/')) return [`${glob}**`];
  if (!/[*?[\]{}()!+@]/.test(glob)) return [glob, `${glob}/**`];
  return [glob];
}

/**
 * Which entries a change reaches. Every entry runs when the door could not tell which files
 * changed (`all`), or when the config file itself is among them; an entry without `paths`
 * always runs; any other runs when a changed file matches its `paths`.
 */
export function selectEntries(
  entries: readonly Selectable[],
  changed: ChangedFiles,
  configPath: string,
): { selected: Selected[]; selection: string } {
  if ('all' in changed)
    return {
      selected: entries.map(({ name }) => ({ name, ran: true, why: changed.all })),
      selection: `Every gate ran: ${changed.all}.`,
    };
  // A name no glob can match as written (a line break in it) must not leave an entry out unseen.
  if (changed.files.some((file) => UNMATCHABLE.test(file)))
    return {
      selected: entries.map(({ name }) => ({
        name,
        ran: true,
        why: "a changed file's name holds a line break or a control character",
      })),
      selection: `Every gate ran: a file among ${changed.source} has a line break or a control character in its name, which no glob is sure to match.`,
    };
  if (changed.files.some((file) => isConfigFile(file, configPath)))
    return {
      selected: entries.map(({ name }) => ({
        name,
        ran: true,
        why: `the config file \`${configPath}\` changed`,
      })),
      selection: `Every gate ran: the config file \`${configPath}\` is among ${changed.source}.`,
    };
  const selected = entries.map(({ name, paths }): Selected => {
    if (paths.length === 0) return { name, ran: true, why: 'it has no `paths`: it always runs' };
    const matches = pathMatcher(paths);
    const hits = changed.files.filter(matches);
    if (hits.length === 0) return { name, ran: false, why: 'no changed file is under its paths' };
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

import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Files a pattern may match at most: an aggregate reads a few hundred reports, not a disk. */
const MAX_FILES_WALKED = 20_000;

/** `**` any number of folders, `*` any characters but `/`, `?` one; everything else literal. */
function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The files under `cwd` that `pattern` matches (`reports/**\/*.json`), sorted; the walk starts
 * at the pattern's literal folders and is bounded.
 */
export async function globFiles(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.replaceAll('\\', '/').replace(/^\.\//, '');
  const literal = normalized.split('/');
  const firstWild = literal.findIndex((part) => /[*?]/.test(part));
  const base = resolve(
    cwd,
    firstWild === -1
      ? normalized.split('/').slice(0, -1).join('/')
      : literal.slice(0, firstWild).join('/'),
  );
  const matcher = patternToRegExp(normalized);
  const found: string[] = [];
  let walked = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (++walked > MAX_FILES_WALKED)
        throw new Error(
          `more than ${MAX_FILES_WALKED} files under ${relative(cwd, base) || '.'}; narrow the pattern`,
        );
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (
        matcher.test((isAbsolute(normalized) ? path : relative(cwd, path)).split(sep).join('/'))
      )
        found.push(path);
    }
  };
  await walk(base);
  return found.sort();
}

import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A path from the repository's root (the workspace `cwd`), `/`-separated. */
export const repositoryPathOf = (path: string, cwd: string): string =>
  relative(cwd, resolve(cwd, path)).split(sep).join('/');

/**
 * Whether a path a step or its config file names stays in the workspace: written inside it
 * (`traces/a.json`, or absolute under it), and, once it exists, inside it after its links are
 * followed. A config file names paths a pull request chose, and an entry's `base_url` chooses
 * where its trace is sent: no path may reach the runner's other files.
 */
export function inWorkspace(path: string, cwd: string): boolean {
  const inside = (fromRoot: string) =>
    fromRoot !== '' && !isAbsolute(fromRoot) && !fromRoot.startsWith('..');
  if (!inside(repositoryPathOf(path, cwd))) return false;
  try {
    return inside(relative(realpathSync(cwd), realpathSync(resolve(cwd, path))));
  } catch {
    // Not there (yet): whoever reads it says so.
    return true;
  }
}

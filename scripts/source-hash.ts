/**
 * The fingerprint of what `dist/` is built from: every file under src/, the lock file and the
 * compiler settings. `npm run build` writes it to dist/source-hash.txt; the tests compare it
 * before they run the bundle, so `npm test` cannot pass against a dist/ older than src/.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where the build leaves the fingerprint of its sources. */
export const STAMP = join(ROOT, 'dist', 'source-hash.txt');

/** The fingerprint of the sources as they are now. */
export function sourceHash(): string {
  const files = [
    ...walk(join(ROOT, 'src')),
    join(ROOT, 'package-lock.json'),
    join(ROOT, 'tsconfig.json'),
  ];
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${relative(ROOT, file)}\n`)
      .update(readFileSync(file))
      .update('\n');
  return hash.digest('hex');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
}

// `tsx scripts/source-hash.ts --write`: the build's last step.
if (
  process.argv.includes('--write') &&
  resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)
) {
  writeFileSync(STAMP, `${sourceHash()}\n`);
}

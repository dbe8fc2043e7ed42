import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../../../src/core', import.meta.url));

/** Every TypeScript file under `dir`. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe('a backend is a folder and a registry line', () => {
  it('names promptfoo nowhere in the core but its folder and the registry', () => {
    const naming = filesUnder(CORE)
      .map((file) => relative(CORE, file))
      .filter((file) => !file.startsWith('backends/promptfoo/') && file !== 'backends/registry.ts')
      .filter((file) => /promptfoo/i.test(readFileSync(join(CORE, file), 'utf8')));
    expect(naming).toEqual([]);
  });
});

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globFiles } from '../../../src/core/aggregate/glob.js';
import { scratchDir } from '../../support/scratch.js';

describe('globFiles', () => {
  it('matches ** across folders, * within one, relative or absolute, sorted', async () => {
    const root = scratchDir('glob');
    for (const file of [
      'reports/gate-a/verdict.json',
      'reports/gate-b/verdict.json',
      'reports/top.json',
      'reports/gate-a/notes.txt',
      'other/x.json',
    ]) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), '{}');
    }
    const names = (paths: string[]) => paths.map((p) => p.slice(root.length + 1));
    expect(names(await globFiles('reports/**/*.json', root))).toEqual([
      'reports/gate-a/verdict.json',
      'reports/gate-b/verdict.json',
      'reports/top.json',
    ]);
    expect(names(await globFiles('./reports/*/verdict.json', root))).toEqual([
      'reports/gate-a/verdict.json',
      'reports/gate-b/verdict.json',
    ]);
    expect(names(await globFiles(`${root}/reports/gate-?/*.json`, '/'))).toEqual([
      'reports/gate-a/verdict.json',
      'reports/gate-b/verdict.json',
    ]);
    expect(await globFiles('missing/**/*.json', root)).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });
});

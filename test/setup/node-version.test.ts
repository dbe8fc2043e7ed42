import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { requiredNodeMajor, tooOld } from './node-version.js';

describe('npm test on a Node older than package.json asks for', () => {
  it('stops with one line naming the Node it needs and how to get it', () => {
    const line = tooOld('v20.20.2', 22);
    expect(line).toBe(
      'The tests need Node 22 or later; this is Node 20.20.2. Install Node 24 (.node-version; e.g. `fnm use`, `mise install` or `nvm install 24`) and run npm test again.',
    );
    expect(line).not.toContain('\n');
  });

  it('runs on the maintained lines', () => {
    expect(tooOld('v22.12.0', 22)).toBeUndefined();
    expect(tooOld('v24.11.1', 22)).toBeUndefined();
  });

  it("reads the version from package.json's engines, which .node-version satisfies", () => {
    expect(requiredNodeMajor()).toBe(22);
    const pinned = Number(readFileSync(join(REPOSITORY_ROOT, '.node-version'), 'utf8').trim());
    expect(pinned).toBeGreaterThanOrEqual(requiredNodeMajor());
  });

  it('says what it expected of engines.node when it cannot read it', () => {
    const file = join(scratchDir('engines'), 'package.json');
    writeFileSync(file, JSON.stringify({ engines: { node: '^22 || ^24' } }));
    expect(() => requiredNodeMajor(file)).toThrow(
      'package.json\'s engines.node should read ">=N", not "^22 || ^24"',
    );
  });
});

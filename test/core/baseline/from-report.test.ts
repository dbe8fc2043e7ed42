import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBaselineReport } from '../../../src/core/baseline/from-report.js';
import { scratchDir } from '../../support/scratch.js';

const dir = scratchDir('from-report');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readBaselineReport: the file --baseline-report names, checked before any call', () => {
  it('says a missing file, an empty value, a folder and a file that is no report in the flag’s words, with the fix', async () => {
    expect(await readBaselineReport(join(dir, 'typo.json'))).toMatch(
      /^Flag --baseline-report names ".*typo\.json", which does not exist; give the default branch's --report file, or leave the flag out$/,
    );
    expect(await readBaselineReport('  ')).toBe(
      "Flag --baseline-report names no file; give the default branch's --report file, or leave the flag out",
    );
    mkdirSync(join(dir, 'folder.json'));
    expect(await readBaselineReport(join(dir, 'folder.json'))).toContain(
      'is no report of the gate: report folder.json cannot be read (EISDIR)',
    );
    writeFileSync(join(dir, 'junk.json'), '{');
    const junk = await readBaselineReport(join(dir, 'junk.json'));
    expect(junk).toContain('is no report of the gate: report junk.json is not valid JSON');
    writeFileSync(join(dir, 'old.json'), '{"version": 0}');
    // The reader's own fix speaks of aggregating; the flag's fix is said instead.
    expect(await readBaselineReport(join(dir, 'old.json'))).not.toContain('aggregate');
  });
});

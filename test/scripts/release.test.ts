import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkVersion, majorTag, releaseNotes, versionOf } from '../../scripts/release.js';

const CHANGELOG = [
  '# Changelog',
  '',
  '## Unreleased',
  '',
  '- next',
  '',
  '## 1.4.0 (2026-12-01)',
  '',
  '### Added',
  '- repeats',
  '',
  '## 1.3.0',
  '',
  '- older',
  '',
].join('\n');

describe('the release script', () => {
  it('takes the version section of CHANGELOG.md as the notes', () => {
    expect(releaseNotes(CHANGELOG, 'v1.4.0')).toBe('### Added\n- repeats');
    expect(releaseNotes(CHANGELOG, 'v1.3.0')).toBe('- older');
  });

  it('refuses a release without notes, a tag that is no release, and a tag that is not the package version', () => {
    expect(() => releaseNotes(CHANGELOG, 'v1.5.0')).toThrow(
      'has no section "## 1.5.0": rename "## Unreleased"',
    );
    expect(() => releaseNotes('## 1.5.0\n\n## 1.4.0\n- x', 'v1.5.0')).toThrow('is empty');
    expect(() => versionOf('v1.4.0-rc.1')).toThrow('is not a release tag');
    expect(() => checkVersion('v1.4.0', '1.3.9')).toThrow(
      'Tag v1.4.0 names version 1.4.0, but package.json says 1.3.9',
    );
    expect(() => checkVersion('v1.4.0', '1.4.0')).not.toThrow();
  });

  it('moves the major tag of the line', () => {
    expect(majorTag('v1.4.0')).toBe('v1');
    expect(majorTag('v12.0.3')).toBe('v12');
  });

  it("runs as the workflow runs it, on this repository's own CHANGELOG and package.json (a dry run)", async () => {
    const script = fileURLToPath(new URL('../../scripts/release.ts', import.meta.url));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx/esm', script, ...args],
          { env: { PATH: process.env.PATH ?? '', TSX_DISABLE_CACHE: '1' } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
    expect(await run(['major', 'v1.0.0'])).toMatchObject({ code: 0, stdout: 'v1\n' });
    expect(await run(['check', 'v1.0.0'])).toMatchObject({ code: 0 });
    expect((await run(['notes', 'v1.0.0'])).stdout).toContain('The gate on Sepurux and TruLayer');
    expect(await run(['check', 'v9.9.9'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('but package.json says 1.0.0'),
    });
  });
});

import { describe, expect, it } from 'vitest';
import { defuseCommands, printable, printableLine } from '../../../src/core/support/text.js';
import { parseAnnotations } from '../../support/runner.js';

describe('defuseCommands', () => {
  it('breaks a `::` after any white space the runner trims, U+0085 (NEL) included', () => {
    for (const space of ['\u0085', '\u00a0', '\u3000', ' \t'])
      expect(defuseCommands(`${space}::error::forged`)).not.toMatch(/^[\s\u0085]*::/);
  });

  it('breaks a leading `::` and every legacy `##[`, wherever it stands in a line', () => {
    const text = 'c-1 ##[add-mask]pass\n  ::warning::x\n##[error]y ##[warning]z\n###[notice]w';
    const defused = defuseCommands(text);
    expect(defused).not.toContain('##[');
    expect(defused).not.toMatch(/^\s*::/m);
    // Only zero-width spaces were added: a reader sees the same text.
    expect(defused.replaceAll('\u200b', '')).toBe(text);
    expect(parseAnnotations(defused)).toEqual([]);
  });

  it('is what printable and printableLine do, on the command line', () => {
    expect(printable('decision "maybe ##[error]owned"')).not.toContain('##[');
    expect(printableLine('a\n##[add-mask]b')).toBe('a ##\u200b[add-mask]b');
  });
});

describe("the test runner's parseAnnotations", () => {
  it('reads the legacy form anywhere in a line, but not inside a `::` command', () => {
    expect(
      parseAnnotations(
        'Campaign is x ##[error]owned%5D\n::debug::y ##[error]not this\n::warning::w',
      ),
    ).toEqual([
      { level: 'error', message: 'owned]' },
      { level: 'warning', message: 'w' },
    ]);
  });
});

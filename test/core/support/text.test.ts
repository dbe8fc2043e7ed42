import { describe, expect, it } from 'vitest';
import {
  clauses,
  defuseCommands,
  printable,
  printableLine,
} from '../../../src/core/support/text.js';
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

describe('clauses', () => {
  const reason =
    'Sepurux decided fail; pass rate 0.72 < 0.9 (`min_pass_rate`); unsafe attempts 1 > 0 (`max_unsafe`); against the base branch: pass rate drop 0.2 > 0.05 (`max_pass_rate_drop`).';

  it('keeps whole clauses within the length, and says some were left out', () => {
    const cut = clauses(reason, 120);
    expect(cut).toBe(
      'Sepurux decided fail; pass rate 0.72 < 0.9 (`min_pass_rate`); unsafe attempts 1 > 0 (`max_unsafe`); …',
    );
    expect(cut.length).toBeLessThanOrEqual(120);
    expect(clauses(reason, 1000)).toBe(reason);
  });

  it('never cuts a code span in two: a first clause too long loses the span it would break', () => {
    const cut = clauses('pass rate 0.72 below the floor (`min_pass_rate_for_this_entry`)', 40);
    expect(cut).toBe('pass rate 0.72 below the floor (…');
    expect((cut.match(/`/g) ?? []).length % 2).toBe(0);
  });
});

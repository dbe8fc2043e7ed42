import { describe, expect, it } from 'vitest';
import { checkJson } from '../../../src/core/support/json-check.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const parses = (buffer: Buffer) => {
  try {
    JSON.parse(buffer.toString('utf8'));
    return true;
  } catch {
    return false;
  }
};

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 7));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.round((next() - 0.5) * 10 ** Math.floor(next() * 8)) / (next() < 0.5 ? 1 : 1000);
    case 3:
      return [
        '',
        'plain',
        'quote " and \\ back',
        'tab\tnew\nline',
        'ünïcødé ✓ 😀',
        '\u0001\u001f',
        '</script>',
      ][Math.floor(next() * 7)];
    case 4:
      return -0.5e-7;
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, (_, k) => [
          `k${k}${next() < 0.3 ? '"' : ''}`,
          randomValue(next, depth + 1),
        ]),
      );
  }
}

describe('checkJson', () => {
  it.each([
    ['{}', 'object'],
    [' {"a": [1, -2.5e+3, 0, true, false, null, "x\\u00e9\\n"]} \n', 'object'],
    ['[]', 'array'],
    ['"s"', 'string'],
    ['0', 'number'],
    ['null', 'null'],
  ])('accepts %j as %s', (text, topLevel) => {
    expect(checkJson(bytes(text))).toEqual({ ok: true, topLevel });
  });

  it.each([
    ['', 'unexpected end of data, expected a value at line 1, column 1 (byte 0)'],
    ['{"a": 1,}', "unexpected '}', expected a string at line 1, column 9 (byte 8)"],
    ['{"a": 1', "unexpected end of data, expected ',' or '}' at line 1, column 8 (byte 7)"],
    [
      '{"steps": [\n  1,\n  02\n]}',
      "unexpected '2', expected ',' or ']' at line 3, column 4 (byte 20)",
    ],
    ['{} {}', "unexpected '{' after the JSON value at line 1, column 4 (byte 3)"],
    ['{"a": tru}', 'unexpected literal at line 1, column 7 (byte 6)'],
    ['{"a": "\u0001"}', 'control character in a string at line 1, column 8 (byte 7)'],
    ['\ufeff{}', 'unexpected byte 0xef, expected a value at line 1, column 1 (byte 0)'],
  ])('rejects %j, saying where', (text, error) => {
    expect(checkJson(bytes(text))).toEqual({ ok: false, error });
  });

  it('agrees with JSON.parse on thousands of generated and mutated documents', () => {
    const next = random(20261122);
    let valid = 0;
    let invalid = 0;
    for (let n = 0; n < 3000; n++) {
      let text = JSON.stringify(randomValue(next), null, next() < 0.3 ? 2 : undefined) ?? 'null';
      if (next() < 0.6) {
        // Damage it: delete, insert or replace one character.
        const at = Math.floor(next() * (text.length + 1));
        const junk = ' {}[]",:0-.eE+tfn\\u'[Math.floor(next() * 20)] ?? '';
        const op = Math.floor(next() * 3);
        text =
          op === 0
            ? text.slice(0, at) + text.slice(at + 1)
            : op === 1
              ? text.slice(0, at) + junk + text.slice(at)
              : text.slice(0, at) + junk + text.slice(at + 1);
      }
      const buffer = bytes(text);
      const expected = parses(buffer);
      expect(checkJson(buffer).ok, text).toBe(expected);
      if (expected) valid++;
      else invalid++;
    }
    // Both sides of the comparison were exercised.
    expect(valid).toBeGreaterThan(500);
    expect(invalid).toBeGreaterThan(500);
  });

  it('handles deep nesting without the call stack', () => {
    const depth = 200_000;
    expect(checkJson(bytes(`${'['.repeat(depth)}${']'.repeat(depth)}`))).toEqual({
      ok: true,
      topLevel: 'array',
    });
  });
});

describe('checkJson with rejectDuplicateKeys', () => {
  const strict = (text: string) => checkJson(bytes(text), { rejectDuplicateKeys: true });

  it('refuses a member named twice, also when one spelling is escaped', () => {
    expect(strict('{"decision": "fail", "decision": "pass"}')).toMatchObject({
      ok: false,
      duplicate: true,
    });
    expect(strict('{"decision": "fail", "d\\u0065cision": "pass"}')).toMatchObject({
      ok: false,
      duplicate: true,
      error: expect.stringContaining('"decision" appears twice'),
    });
    expect(strict('{"a": {"b": 1, "b": 2}}')).toMatchObject({ ok: false, duplicate: true });
  });

  it('takes names in different objects, and names that differ by case, as distinct', () => {
    expect(strict('{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "A": 0}')).toEqual({
      ok: true,
      topLevel: 'object',
    });
    expect(strict('[{}, {"x": {}}, {"x": 1}]')).toEqual({ ok: true, topLevel: 'array' });
  });

  it('accepts duplicates when not asked to refuse them, as JSON.parse does', () => {
    expect(checkJson(bytes('{"a": 1, "a": 2}'))).toEqual({ ok: true, topLevel: 'object' });
  });

  it('agrees with a parse-and-compare reference on generated documents', () => {
    const next = random(7);
    for (let n = 0; n < 2000; n++) {
      const keys = Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => ['a', 'b', 'c', '\\u0061'][Math.floor(next() * 4)],
      );
      const text = `{${keys.map((k, i) => `"${k}": ${i}`).join(', ')}}`;
      const distinct =
        new Set(keys.map((k) => JSON.parse(`"${k}"`) as string)).size === keys.length;
      expect(strict(text).ok, text).toBe(distinct);
    }
  });
});

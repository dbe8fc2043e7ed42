/**
 * A JSON syntax check over raw bytes that builds nothing: a 50 MiB trace is validated without
 * the 50 MiB string and the object graph `JSON.parse` would make (RFC 8259 grammar; it accepts
 * exactly what `JSON.parse` accepts of the same bytes decoded as UTF-8).
 */

/** What the bytes hold at the top level, or where they stop being JSON. */
export type JsonShape =
  | { ok: true; topLevel: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' }
  | {
      ok: false;
      error: string;
      /** The error is a member named twice (with `rejectDuplicateKeys`). */ duplicate?: true;
    };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPABLE = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]); // " \ / b f n r t
const LITERALS: Record<number, [Uint8Array, 'boolean' | 'null']> = {
  0x74: [new TextEncoder().encode('true'), 'boolean'],
  0x66: [new TextEncoder().encode('false'), 'boolean'],
  0x6e: [new TextEncoder().encode('null'), 'null'],
};

class SyntaxProblem extends Error {
  duplicate?: true;
}

/** What else to refuse besides broken syntax. */
export interface JsonCheckOptions {
  /**
   * Refuse an object that names a member twice. `JSON.parse` keeps the last one, another reader
   * may keep the first: a verdict that says both `"decision": "fail"` and `"decision": "pass"`
   * must not be read as either.
   */
  rejectDuplicateKeys?: boolean;
}

const decoder = new TextDecoder();

/** Checks that `bytes` are one JSON value and says what kind it is at the top level. */
export function checkJson(bytes: Uint8Array, options: JsonCheckOptions = {}): JsonShape {
  let i = 0;
  // Annotated, so that the compiler knows code after a failure is unreachable.
  const fail: (what: string) => never = (what) => {
    throw new SyntaxProblem(`${what} at ${position(bytes, i)}`);
  };
  const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
  const skipSpace = () => {
    while (i < bytes.length) {
      const b = bytes[i];
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return;
      i++;
    }
  };
  const expect = (byte: number, what: string) => {
    if (bytes[i] !== byte)
      fail(
        bytes[i] === undefined
          ? `unexpected end of data, expected ${what}`
          : `unexpected ${describe(bytes[i])}, expected ${what}`,
      );
    i++;
  };
  const string = () => {
    expect(QUOTE, 'a string');
    for (;;) {
      const b = bytes[i];
      if (b === undefined) fail('unterminated string');
      else if (b === QUOTE) return void i++;
      else if (b < 0x20) fail('control character in a string');
      else if (b === BACKSLASH) {
        const next = bytes[i + 1];
        if (next === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(bytes[i + k])) fail('bad \\u escape');
          i += 6;
        } else if (next !== undefined && ESCAPABLE.has(next)) i += 2;
        else fail('bad escape');
      } else i++;
    }
  };
  // The member names of each open object, when duplicates are refused.
  const names: Set<string>[] = [];
  /** `"name":` and the space after it, before a member's value. */
  const memberName = () => {
    const start = i;
    string();
    if (options.rejectDuplicateKeys) {
      const raw = bytes.subarray(start, i);
      // Escapes are rare in names; only then is the name decoded the slow way ("a" and "\u0061" are one name).
      const name = raw.includes(BACKSLASH)
        ? (JSON.parse(decoder.decode(raw)) as string)
        : decoder.decode(raw.subarray(1, -1));
      const seen = names[names.length - 1];
      if (seen?.has(name)) {
        const problem = new SyntaxProblem(
          `member ${JSON.stringify(name.length > 60 ? `${name.slice(0, 59)}…` : name)} appears twice in one object at ${position(bytes, start)}`,
        );
        problem.duplicate = true;
        throw problem;
      }
      seen?.add(name);
    }
    skipSpace();
    expect(0x3a, "':'");
    skipSpace();
  };
  const digits = () => {
    if (!isDigit(bytes[i]))
      fail(
        bytes[i] === undefined
          ? 'unexpected end of data in a number'
          : `unexpected ${describe(bytes[i])} in a number`,
      );
    while (isDigit(bytes[i])) i++;
  };
  const number = () => {
    if (bytes[i] === 0x2d) i++;
    if (bytes[i] === 0x30) i++;
    else digits();
    if (bytes[i] === 0x2e) {
      i++;
      digits();
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      digits();
    }
  };

  // Containers open; true for an object. Explicit, so nesting depth costs no call stack.
  const open: boolean[] = [];
  let topLevel: Extract<JsonShape, { ok: true }>['topLevel'] | undefined;
  try {
    skipSpace();
    for (;;) {
      // A value.
      const b = bytes[i];
      let kind: NonNullable<typeof topLevel>;
      if (b === 0x7b || b === 0x5b) {
        const isObject = b === 0x7b;
        kind = isObject ? 'object' : 'array';
        topLevel ??= kind;
        i++;
        skipSpace();
        if (bytes[i] === (isObject ? 0x7d : 0x5d)) i++;
        else {
          open.push(isObject);
          if (isObject) {
            names.push(new Set());
            memberName();
          }
          continue;
        }
      } else if (b === QUOTE) {
        kind = 'string';
        string();
      } else if (b === 0x2d || isDigit(b)) {
        kind = 'number';
        number();
      } else if (b !== undefined && LITERALS[b]) {
        const [word, literalKind] = LITERALS[b];
        for (let k = 0; k < word.length; k++)
          if (bytes[i + k] !== word[k]) fail('unexpected literal');
        i += word.length;
        kind = literalKind;
      } else {
        fail(
          b === undefined
            ? 'unexpected end of data, expected a value'
            : `unexpected ${describe(b)}, expected a value`,
        );
      }
      topLevel ??= kind;
      // After a value: close containers, or go on to the next element.
      for (;;) {
        skipSpace();
        if (open.length === 0) {
          if (i < bytes.length) fail(`unexpected ${describe(bytes[i])} after the JSON value`);
          return { ok: true, topLevel };
        }
        const inObject = open[open.length - 1];
        if (bytes[i] === 0x2c) {
          i++;
          skipSpace();
          if (inObject) memberName();
          break;
        }
        expect(inObject ? 0x7d : 0x5d, inObject ? "',' or '}'" : "',' or ']'");
        if (open.pop()) names.pop();
      }
    }
  } catch (error) {
    if (error instanceof SyntaxProblem)
      return {
        ok: false,
        error: error.message,
        ...(error.duplicate ? { duplicate: true as const } : {}),
      };
    throw error;
  }
}

function isHex(b: number | undefined): boolean {
  return (
    b !== undefined &&
    ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))
  );
}

function describe(b: number | undefined): string {
  if (b === undefined) return 'end of data';
  return b >= 0x20 && b < 0x7f
    ? `'${String.fromCharCode(b)}'`
    : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** `line 3, column 14 (byte 52)`, counted only when there is an error to report. */
function position(bytes: Uint8Array, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < at && k < bytes.length; k++) {
    if (bytes[k] === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return `line ${line}, column ${at - lineStart + 1} (byte ${at})`;
}

import { z } from 'zod';
import { InputError } from '../support/errors.js';

/** Every input as the runner hands it over: a string, empty when not set. */
export type RawInputs = Readonly<Record<string, string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An optional text input: empty means not given. */
export const optionalText = () =>
  z
    .string()
    .trim()
    .transform((value) => value || undefined);

/** A required text input. */
export const requiredText = (what: string) =>
  z.string().trim().min(1, `is required: set it to ${what}`);

/** An optional UUID; `instead` says what to use when the user wrote a name. */
export const optionalUuid = (instead?: string) =>
  optionalText().refine((value) => value === undefined || UUID.test(value), {
    message: `must be a UUID${instead ? ` (for a name, use \`${instead}\`)` : ''}`,
  });

interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Said after the rule when the value breaks it, e.g. 'write "0.85" for 85%'. */
  hint?: (value: number) => string | undefined;
}

/** An optional number input with its range, parsed strictly ("0.8", "-0.02", "10"). */
export const optionalNumber = (rule: NumberRule = {}) =>
  optionalText().transform((text, ctx) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    const range = describeRange(rule);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || !Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: `is "${text}", not a number; write ${range}` });
      return z.NEVER;
    }
    const broken =
      (rule.integer && !Number.isInteger(value)) ||
      (rule.min !== undefined && value < rule.min) ||
      (rule.max !== undefined && value > rule.max);
    if (broken) {
      const hint = rule.hint?.(value);
      ctx.addIssue({
        code: 'custom',
        message: `is "${text}"; write ${range}${hint ? ` (${hint})` : ''}`,
      });
      return z.NEVER;
    }
    return value;
  });

/** A fraction from 0 to 1; a percentage written by mistake gets the fraction suggested. */
export const fraction = () =>
  optionalNumber({
    min: 0,
    max: 1,
    hint: (value) =>
      value > 1 && value <= 100
        ? `it is a fraction: write "${value / 100}" for ${value}%`
        : undefined,
  });

/** An input with a fixed set of values. */
export const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
) =>
  z
    .string()
    .trim()
    .transform((value, ctx): T[number] => {
      const chosen = (value || fallback).toLowerCase();
      if ((values as readonly string[]).includes(chosen)) return chosen as T[number];
      ctx.addIssue({
        code: 'custom',
        message: `is "${value}"; write one of ${values.map((v) => `\`${v}\``).join(', ')}`,
      });
      return z.NEVER;
    });

/** A boolean input in the YAML 1.2 core spellings, like `core.getBooleanInput`. */
export const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (value === '') return fallback;
      if (['true', 'True', 'TRUE'].includes(value)) return true;
      if (['false', 'False', 'FALSE'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `is "${value}"; write \`true\` or \`false\`` });
      return z.NEVER;
    });

function describeRange({ min, max, integer }: NumberRule): string {
  const kind = integer ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

/** A rule over several inputs: the inputs it names and what to tell the user. */
export interface CrossRule<T> {
  inputs: readonly string[];
  broken: (value: T) => boolean;
  message: string;
}

/**
 * Parses `raw` with `schema`, then checks `rules`; every problem found is reported in one
 * {@link InputError}, each line naming its input.
 */
export function parseInputs<S extends z.ZodObject>(
  schema: S,
  raw: RawInputs,
  rules: readonly CrossRule<z.output<S>>[] = [],
): z.output<S> {
  // An input the runner did not hand over reads as empty, as `core.getInput` would.
  const complete = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, raw[name] ?? '']),
  );
  const parsed = schema.safeParse(complete);
  // "`project_id` is required …" reads on; a rule over several inputs names them, then says why.
  const said = (rule: CrossRule<z.output<S>>) =>
    `${rule.inputs.map((i) => `\`${i}\``).join(' / ')}${rule.message.startsWith('is ') ? ' ' : ': '}${rule.message}`;
  if (parsed.success) {
    const broken = rules.filter((rule) => rule.broken(parsed.data)).map(said);
    if (broken.length === 0) return parsed.data;
    throw new InputError(broken.map((p) => `Input ${p}`));
  }
  const issues = parsed.error.issues.map((issue) => `\`${issue.path.join('.')}\` ${issue.message}`);
  // The rules are still checked on the inputs that are valid, so that one bad value does not hide
  // a missing one for a second run: a rule that names an input in error waits for its value.
  const invalid = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
  const valid = Object.fromEntries(
    Object.entries(schema.shape).flatMap(([name, field]) => {
      const one = (field as z.ZodType).safeParse(complete[name]);
      return one.success && !invalid.has(name) ? [[name, one.data]] : [];
    }),
  ) as z.output<S>;
  const broken = rules
    .filter((rule) => !rule.inputs.some((name) => invalid.has(name)))
    .filter((rule) => {
      try {
        return rule.broken(valid);
      } catch {
        return false;
      }
    })
    .map(said);
  throw new InputError([...issues, ...broken].map((p) => `Input ${p}`));
}

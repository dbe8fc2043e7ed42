import { z } from 'zod';

/**
 * How an input is documented. The one declaration feeds action.yml (generated from it), the
 * command line's flags and `--help`, and the inputs tables of docs/inputs.md and the README.
 */
export interface InputDoc {
  description: string;
  /** The default as a user would write it; shown, and given to the runner in action.yml. */
  default?: string;
  required?: boolean;
  /** Masked before anything runs, and redacted from everything published. */
  secret?: boolean;
  /** Only the action reads it (GitHub reporting); the command line has no such flag. */
  actionOnly?: boolean;
  /** Only the command line reads it (a merge-request note on GitLab); the action has no such input. */
  cliOnly?: boolean;
}

/** An input with its name and, for a backend's own inputs, the backend it belongs to. */
export interface DeclaredInput extends InputDoc {
  name: string;
  backend?: string;
}

const DOCS = z.registry<InputDoc>();

/** An input's name on the command line: `trace_file` → `--trace-file`. */
export const flagOf = (name: string) => `--${name.replaceAll('_', '-')}`;

/** How a door names an input where a report shows it: the action by its name, the command line by its flag. */
export type InputWord = (input: string) => string;

/** Documents an input's schema; the schema is returned as it was. */
export function documented<T extends z.ZodType>(schema: T, doc: InputDoc): T {
  DOCS.add(schema, doc);
  return schema;
}

/** The inputs a schema declares, in order, each with its documentation; an undocumented one is a bug. */
export function declaredInputs(schema: z.ZodObject, backend?: string): DeclaredInput[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const doc = DOCS.get(field as z.ZodType);
    if (!doc)
      throw new Error(`input ${name} has no documentation: wrap its schema in documented()`);
    return { name, ...doc, ...(backend ? { backend } : {}) };
  });
}

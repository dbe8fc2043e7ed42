import { parseArgs } from 'node:util';
import { InputError } from '../core/errors.js';
import type { DeclaredInput } from '../core/inputs/declare.js';
import type { RawInputs } from '../core/inputs/fields.js';
import { GATE_INPUTS } from '../core/vocabulary.js';

/** The command line's own flags: where its files go, and how much it says. */
export const CLI_FLAGS = [
  { name: 'report', value: 'FILE', description: "Write the whole verdict as JSON (the action's report file format)." },
  { name: 'junit', value: 'FILE', description: 'Write JUnit XML: one test case for the decision and one per threshold (GitLab, Jenkins).' },
  { name: 'markdown', value: 'FILE', description: 'Write the summary as markdown, e.g. for a merge-request note.' },
  { name: 'verbose', description: 'Also print debug lines (every request and its status).' },
  { name: 'help', short: 'h', description: 'Print this help and exit.' },
] as const;

/** What the command line was asked to do. */
export interface CliRequest {
  /** Every gate input, from its flag or its `GATE_*` variable (a flag wins). */
  inputs: RawInputs;
  report?: string;
  junit?: string;
  markdown?: string;
  verbose: boolean;
  help: boolean;
}

/** The inputs the command line reads: the action's, but for GitHub reporting. */
export const CLI_INPUTS: readonly DeclaredInput[] = GATE_INPUTS.filter((input) => !input.actionOnly);

/** `trace_file` → `--trace-file`. */
export const flagOf = (name: string) => `--${name.replaceAll('_', '-')}`;
/** `trace_file` → `GATE_TRACE_FILE`. */
export const variableOf = (name: string) => `GATE_${name.toUpperCase()}`;

/** Reads flags and `GATE_*` variables; a flag that does not exist or lacks its value is an {@link InputError} that says what to write. */
export function readRequest(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  const options = Object.fromEntries([
    ...CLI_INPUTS.map((input) => [input.name.replaceAll('_', '-'), { type: 'string' as const }]),
    ...CLI_FLAGS.map((flag) => [flag.name, { type: 'value' in flag ? ('string' as const) : ('boolean' as const), ...('short' in flag ? { short: flag.short } : {}) }]),
  ]);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InputError(explainFlagError(error, Object.keys(options)));
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const inputs = Object.fromEntries(CLI_INPUTS.map(({ name }) => [name, text(name.replaceAll('_', '-')) ?? env[variableOf(name)] ?? '']));
  return {
    inputs,
    report: text('report'),
    junit: text('junit'),
    markdown: text('markdown'),
    verbose: values.verbose === true,
    help: values.help === true,
  };
}

function explainFlagError(error: unknown, known: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown) {
    const closest = nearest(unknown.replace(/^-+/, ''), known);
    return `Unknown flag ${unknown}${closest ? `; did you mean --${closest}?` : ''} See --help for every flag.`;
  }
  const missing = /Option '(?:-\w, )?(--[^ ']+)[^']*' argument missing/.exec(message)?.[1];
  if (missing) return `Flag ${missing} needs a value: write ${missing} VALUE (or ${missing}=VALUE).`;
  if (/Unexpected argument/.test(message)) return `${message.replace(/\.?$/, '.')} Every value goes with its flag, e.g. --trace-file trace.json.`;
  return message;
}

/** The known flag closest to `typed` (at most two edits away), for "did you mean". */
function nearest(typed: string, known: string[]): string | undefined {
  const ranked = known.map((name) => ({ name, edits: editDistance(typed, name) })).sort((a, b) => a.edits - b.edits);
  return ranked[0] && ranked[0].edits <= 2 ? ranked[0].name : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * A message written for the action (``Input `trace_file` …``) in the command line's words
 * (``--trace-file …``): every input it names becomes its flag.
 */
export function inFlagWords(message: string): string {
  const names = new Set(CLI_INPUTS.map((input) => input.name));
  return message
    .replace(/^Inputs are invalid:/, 'Flags are invalid:')
    .replace(/^Input (`[a-z_]+`)/, '$1')
    .replace(/`([a-z_]+)`/g, (whole, name: string) => (names.has(name) ? flagOf(name) : whole));
}

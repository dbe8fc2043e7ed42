import { sepurux } from './sepurux/index.js';
import { trulayer } from './trulayer/index.js';
import { promptfoo } from './promptfoo/index.js';
import { braintrust } from './braintrust/index.js';
import type { RawInputs } from '../inputs/fields.js';
import { InputError } from '../support/errors.js';
import type { Backend } from './types.js';

/** Every backend the action can talk to; the first is the default. One line per backend. */
export const BACKENDS = [sepurux, trulayer, promptfoo, braintrust] as const satisfies readonly [
  Backend,
  ...Backend[],
];

/** The registered ids, the default first. */
export const BACKEND_IDS = BACKENDS.map((backend) => backend.id) as [string, ...string[]];

/** The backend registered under `id`. */
export function backendById(id: string): Backend {
  const backend = BACKENDS.find((candidate) => candidate.id === id);
  if (!backend)
    throw new Error(`unreachable: input validation admits only ${BACKEND_IDS.join(', ')}`);
  return backend;
}

/** The names of a backend's own inputs, from its schema. */
export function inputNamesOf(backend: Backend): string[] {
  return Object.keys(backend.inputs.shape);
}

/**
 * Refuses another backend's inputs given with `backend` (they would be ignored): one
 * {@link InputError} naming each and its backend.
 */
export function rejectForeignInputs(backend: Backend, raw: RawInputs): void {
  const own = new Set(inputNamesOf(backend));
  // An input several other backends declare is named once, with each of them.
  const owners = new Map<string, string[]>();
  for (const other of BACKENDS.filter((candidate) => candidate !== backend))
    for (const name of inputNamesOf(other).filter((n) => !own.has(n) && raw[n]?.trim()))
      owners.set(name, [...(owners.get(name) ?? []), other.displayName]);
  const foreign = [...owners.entries()];
  if (foreign.length === 0) return;
  const list = foreign.map(([name, names]) => `\`${name}\` (${names.join(', ')})`).join(', ');
  throw new InputError(
    `Input ${list} ${foreign.length === 1 ? 'is an input' : 'are inputs'} of another backend and would be ignored with \`backend: ${backend.id}\`; remove ${foreign.length === 1 ? 'it' : 'them'} or set \`backend\` to match.`,
  );
}

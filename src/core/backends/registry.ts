import { sepurux } from './sepurux/index.js';
import { trulayer } from './trulayer/index.js';
import type { Backend } from './types.js';

/** Every backend the action can talk to; the first is the default. One line per backend. */
export const BACKENDS = [sepurux, trulayer] as const satisfies readonly [Backend, ...Backend[]];

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

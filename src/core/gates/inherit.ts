import { BACKENDS } from '../backends/registry.js';
import { unreadInputs } from '../inputs/backend-words.js';
import type { RawInputs } from '../inputs/fields.js';

/**
 * The step's inputs an entry inherits. An entry of another backend than the step's does not
 * inherit the step's credential or API root, nor the inputs only the step's backend reads: they
 * are the other backend's (and `token` would be sent to a service it is not for). An entry that
 * gives one of a backend's `alternatives` (`trace_id`) does not inherit the other (`trace_file`).
 */
export function inheritedBy(
  raw: RawInputs,
  stepBackend: string,
  backend: string,
  own: Readonly<Record<string, string>>,
): RawInputs {
  const declared = BACKENDS.find((b) => b.id === backend);
  const replaced = (declared?.alternatives ?? [])
    .filter((group) => group.some((name) => Object.hasOwn(own, name)))
    .flat()
    .filter((name) => !Object.hasOwn(own, name));
  const dropped = new Set<string>(replaced);
  // A backend that reads its evaluation reads none of a service's inputs, and one that holds an
  // evaluation already run none that poll, repeat or retry: the step's are for other entries.
  for (const name of declared ? unreadInputs(declared.evaluates) : []) dropped.add(name);
  if (backend !== stepBackend) {
    const mine = new Set(declared?.inputs.keyof().options ?? []);
    const other = BACKENDS.find((b) => b.id === stepBackend)?.inputs.keyof().options ?? [];
    for (const name of ['token', 'base_url', ...other.filter((name) => !mine.has(name))])
      dropped.add(name);
  }
  return Object.fromEntries(Object.entries(raw).filter(([name]) => !dropped.has(name)));
}

/** A backend's public API root, for one that calls a service. */
export function publicUrlOf(id: string): string | undefined {
  const evaluates = BACKENDS.find((b) => b.id === id)?.evaluates;
  return evaluates?.kind === 'service' ? evaluates.defaultBaseUrl : undefined;
}

import { BACKENDS } from './registry.js';
import type { ComparableSpec, IdSpec } from './types.js';
import type { FigureSpec } from '../verdict/figures.js';
import { commonSchema } from '../inputs/common.js';
import { type DeclaredInput, declaredInputs } from '../inputs/declare.js';

/**
 * The vocabulary of every registered backend, merged: what the front doors iterate to read
 * inputs, set outputs, print `--help` and render reports. A name two backends declare (e.g.
 * `run_id`) is one input, figure or output.
 */

/** The inputs every backend shares, then each backend's own. */
export const GATE_INPUTS: readonly DeclaredInput[] = uniqueByName([
  ...declaredInputs(commonSchema(BACKENDS)),
  ...BACKENDS.flatMap((backend) => declaredInputs(backend.inputs, backend.displayName)),
]);

/** Every figure a registered backend may return. */
export const FIGURE_SPECS: readonly FigureSpec[] = uniqueByName(
  BACKENDS.flatMap((backend) => backend.figures),
);

/** Every id a registered backend may learn. */
export const ID_SPECS: readonly IdSpec[] = uniqueByName(BACKENDS.flatMap((backend) => backend.ids));

/** Everything a registered backend names as what it evaluated (`comparable`). */
export const COMPARABLE_SPECS: readonly ComparableSpec[] = uniqueByName(
  BACKENDS.flatMap((backend) => backend.comparable),
);

/** The declaration of the figure named `name`, if a backend declares it. */
export function figureSpec(name: string): FigureSpec | undefined {
  return FIGURE_SPECS.find((spec) => spec.name === name);
}

function uniqueByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.name)) seen.set(item.name, item);
  return [...seen.values()];
}

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

/**
 * The inputs every backend shares, then each backend's own; an input two backends declare
 * (`min_pass_rate`) is one, of each (`Sepurux, …`).
 */
export const GATE_INPUTS: readonly DeclaredInput[] = uniqueByName([
  ...declaredInputs(commonSchema(BACKENDS)),
  ...BACKENDS.flatMap((backend) => declaredInputs(backend.inputs).map(ownedBy)),
]);

/**
 * An input as its backends declare it: `Sepurux, TruLayer` where they describe it alike; where
 * they mean different things by it (Sepurux's and Braintrust's `project_id`), each one's meaning
 * after its name, so that neither reads as the other's.
 */
function ownedBy(input: DeclaredInput): DeclaredInput {
  const declarations = BACKENDS.flatMap((backend) =>
    declaredInputs(backend.inputs)
      .filter((declared) => declared.name === input.name)
      .map((declared) => ({ owner: backend.displayName, description: declared.description })),
  );
  const alike = new Set(declarations.map((d) => d.description)).size === 1;
  return alike
    ? { ...input, backend: declarations.map((d) => d.owner).join(', ') }
    : {
        ...input,
        backend: declarations.map((d) => d.owner)[0],
        description: [
          input.description,
          ...declarations.slice(1).map((d) => `${d.owner}: ${lowerFirst(d.description)}`),
        ].join(' '),
      };
}

function lowerFirst(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/**
 * Every figure a registered backend may return. A figure two backends declare (`pass_rate`) is
 * one output, described by both; the first declaration formats and bounds it in reports.
 */
export const FIGURE_SPECS: readonly FigureSpec[] = uniqueByName(
  BACKENDS.flatMap((backend) => backend.figures),
).map((spec) => ({
  ...spec,
  description: [
    ...new Set(
      BACKENDS.flatMap((b) => b.figures.filter((f) => f.name === spec.name)).map(
        (f) => f.description,
      ),
    ),
  ].join(' '),
}));

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

import type { Backend } from '../backends/types.js';
import { excerpt } from '../support/text.js';
import type { RunError } from '../retry/types.js';
import type { Outcome } from './run-types.js';

/* The repeats that fail a gate closed whatever the others say: why no pooled verdict may stand. */

/**
 * The repeat that fails the gate closed whatever the others say: one that could not run, or one
 * the backend failed while its figures meet every threshold the gate knows (a reason the gate
 * cannot see, such as a batch's failing scenario).
 */
export function closedFailure(
  outcomes: Outcome[],
  backend: Backend,
  errored: readonly RunError[] = [],
): { index: number; why: string } | undefined {
  for (const { row, verdict } of outcomes) {
    // A repeat another took the place of (`auto`, no verdict after its retries) is no sample.
    if (row.replacedBy !== undefined) continue;
    if (row.outcome !== 'evaluated')
      return { index: row.index, why: `could not run: ${verdict.reason.replace(/\.$/, '')}` };
    const explained = verdict.thresholds.some((t) => !t.holds);
    if (verdict.backendDecision && verdict.backendDecision !== 'pass' && !explained) {
      return {
        index: row.index,
        why: `${verdict.reason.replace(/\.$/, '')}, for a reason no threshold explains`,
      };
    }
  }
  return (
    erroredRun(outcomes, backend, errored) ??
    sharedRun(outcomes, backend) ??
    sizeDrift(outcomes, backend)
  );
}

/**
 * A repeat whose size differs from the first's: repeats of one evaluation run the same traces,
 * so the count a backend declares as weighing its figures (Sepurux's `trace_count`) is the same
 * in each. One that claims more would outweigh the others in the pool: the gate fails closed.
 */
function sizeDrift(
  outcomes: Outcome[],
  backend: Backend,
): { index: number; why: string } | undefined {
  const sizes = [
    ...new Set(backend.figures.flatMap((spec) => [spec.trials, spec.weightedBy]).filter(Boolean)),
  ] as string[];
  const ordered = [...outcomes].sort((a, b) => a.row.index - b.row.index);
  for (const size of sizes) {
    const first = ordered.find(({ verdict }) => verdict.figures[size] !== undefined);
    if (!first) continue;
    const expected = first.verdict.figures[size];
    const drifted = ordered.find(
      ({ verdict }) => verdict.figures[size] !== undefined && verdict.figures[size] !== expected,
    );
    if (drifted)
      return {
        index: drifted.row.index,
        why: `reports ${size} ${drifted.verdict.figures[size]} where repeat ${first.row.index} reported ${expected}: repeats of one evaluation are the same size, and one larger would outweigh the others`,
      };
  }
  return undefined;
}

/**
 * A repeat evaluated on a run that an attempt (its own or another repeat's) ended without a
 * verdict: a backend that answers a retry with a run it failed would get that run pooled.
 */
function erroredRun(
  outcomes: Outcome[],
  backend: Backend,
  errored: readonly RunError[],
): { index: number; why: string } | undefined {
  const perRun = backend.ids.filter((spec) => spec.perRun).map((spec) => spec.name);
  for (const { row, verdict } of [...outcomes].sort((a, b) => a.row.index - b.row.index)) {
    if (row.outcome !== 'evaluated') continue;
    for (const name of perRun) {
      const id = verdict.ids[name];
      const error = id ? errored.find((e) => e.runId === id) : undefined;
      if (error)
        return {
          index: row.index,
          why: `was answered with ${name} "${excerpt(id ?? '', 80)}", the run that ended without a verdict in ${error.run}'s attempt ${error.attempt}: a run without a verdict is no sample`,
        };
    }
  }
  return undefined;
}

/**
 * A repeat whose run is another repeat's (the same run id, or batch id: any id the backend
 * declares `perRun`): a backend that answers every new run with one it already has would get
 * that run pooled as if it were many, its counts multiplied and its interval narrowed. Each
 * repeat is its own run (a lost answer recovered within one repeat is still that repeat's), so
 * two repeats sharing one fail the gate closed, naming the id.
 */
function sharedRun(
  outcomes: Outcome[],
  backend: Backend,
): { index: number; why: string } | undefined {
  const perRun = backend.ids.filter((spec) => spec.perRun).map((spec) => spec.name);
  const seen = new Map<string, number>();
  for (const { row, verdict } of [...outcomes].sort((a, b) => a.row.index - b.row.index)) {
    for (const name of perRun) {
      const id = verdict.ids[name];
      if (id === undefined || id === '') continue;
      const first = seen.get(`${name}\u0000${id}`);
      if (first !== undefined) {
        return {
          index: row.index,
          why: `was answered with ${name} "${excerpt(id, 80)}", the run repeat ${first} evaluated: one run pooled twice is not two samples`,
        };
      }
      seen.set(`${name}\u0000${id}`, row.index);
    }
  }
  return undefined;
}

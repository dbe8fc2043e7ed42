import type { Backend } from '../backends/types.js';
import { type ThresholdResult } from '../verdict/verdict.js';
import { detectability, type Pooled } from './pool.js';
import type { Detectable } from './types.js';

/* What the repeats found beside the verdict: which failures are flaky, what more runs would detect. */

export function detectables(
  pooled: Pooled,
  judged: ThresholdResult[],
  confidence: number,
  repeats: number,
  backend: Backend,
): Detectable[] {
  return judged.flatMap((t) => {
    const spec = backend.figures.find((f) => f.name === t.figure);
    if (!spec || spec.domain.integer || t.actual === undefined) return [];
    const observed = t.comparator === '>=' ? t.limit - t.actual : t.actual - t.limit;
    const seen = detectability(
      pooled,
      t.figure,
      confidence,
      observed > 0 ? observed : undefined,
      repeats,
    );
    return seen
      ? [
          {
            input: t.input,
            shortfall: seen.shortfall,
            ...(observed > 0 ? { observed: Number(observed.toFixed(6)) } : {}),
            ...(seen.repeatsNeeded ? { repeatsNeeded: seen.repeatsNeeded } : {}),
          },
        ]
      : [];
  });
}

/** Tools failing in some repeats but not all (flaky) apart from those failing in every repeat (steady). */
export function flakyAndSteady(lists: string[][]): { flakyTools: string[]; steadyTools: string[] } {
  const seen = new Map<string, number>();
  for (const list of lists)
    for (const tool of new Set(list)) seen.set(tool, (seen.get(tool) ?? 0) + 1);
  const steadyTools = [...seen].filter(([, n]) => n === lists.length).map(([tool]) => tool);
  const flakyTools = [...seen].filter(([, n]) => n < lists.length).map(([tool]) => tool);
  return { flakyTools, steadyTools };
}

import { distance } from 'fastest-levenshtein';

/** How far a typo may be from the name it meant to be suggested: a few letters, not a different word. */
const MAX_EDITS = 3;

/** The declared name closest to `typed` (a few edits away at most), for "did you mean". */
export function closestName(typed: string, declared: readonly string[]): string | undefined {
  let best: { name: string; edits: number } | undefined;
  for (const name of declared) {
    const edits = distance(typed.toLowerCase(), name.toLowerCase());
    if (!best || edits < best.edits) best = { name, edits };
  }
  return best && best.edits <= Math.min(MAX_EDITS, Math.max(1, Math.floor(typed.length / 3)))
    ? best.name
    : undefined;
}

/** Up to `most` of `names` within a few edits of `typed`, or containing it, closest first: "did you mean" for a name a backend lists. */
export function closestNames(typed: string, names: readonly string[], most: number): string[] {
  // Names come from outside: only their first 200 characters are compared, so the work stays bounded.
  const wanted = typed.slice(0, 200).toLowerCase();
  return names
    .map((name) => ({ name, lower: name.slice(0, 200).toLowerCase() }))
    .map(({ name, lower }) => ({
      name,
      edits: lower.includes(wanted) || wanted.includes(lower) ? 0 : distance(wanted, lower),
    }))
    .filter(({ edits }) => edits <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.edits - b.edits || a.name.localeCompare(b.name))
    .slice(0, most)
    .map(({ name }) => name);
}

/**
 * Names given that nothing declares: each one, with the declared name it most likely meant. A
 * misspelt threshold (`min_pass_rat`) would otherwise be dropped and the gate judged without
 * it, so every front door makes these an input error.
 */
export function undeclaredNames(
  given: readonly string[],
  declared: readonly string[],
): { name: string; closest?: string }[] {
  const known = new Set(declared);
  return [...new Set(given)]
    .filter((name) => !known.has(name))
    .sort()
    .map((name) => {
      const closest = closestName(name, declared);
      return closest ? { name, closest } : { name };
    });
}

import { boundFinding, type Finding } from '../../verdict/why.js';

/** Events kept per run and endpoint: the report holds them all, within this bound. */
export const MAX_EVENTS_PER_RUN = 50;

/** Where an answer may keep its list of events, when it is not the list itself. */
const LIST_KEYS = ['events', 'items', 'data'] as const;

/** The first of `keys` that holds a string or a number in `event`, as text. */
function field(event: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = event[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/**
 * Reads a run's policy or security events tolerantly, as docs/sepurux.md says: their
 * shape is not published. A JSON array, or an object holding one array (`events`, `items` or
 * `data`), of objects whose useful fields, when present, are `type`/`kind`,
 * `action`/`decision`, `policy`/`rule`, `tool`, `severity`, `reason`/`message`, `attempt`.
 * Returns undefined when the answer has no such list: "no events to show".
 */
export function readEvents(
  answer: unknown,
  run: string,
  source: 'policy' | 'security',
): Finding[] | undefined {
  const list = Array.isArray(answer)
    ? answer
    : answer !== null && typeof answer === 'object'
      ? LIST_KEYS.map((key) => (answer as Record<string, unknown>)[key]).find(Array.isArray)
      : undefined;
  if (!list) return undefined;
  const events = list.filter(
    (item): item is Record<string, unknown> =>
      item !== null && typeof item === 'object' && !Array.isArray(item),
  );
  // A list of anything but objects is a shape the gate cannot read.
  if (list.length > 0 && events.length === 0) return undefined;
  return events.slice(0, MAX_EVENTS_PER_RUN).map((event) => {
    const optional = {
      action: field(event, 'action', 'decision'),
      rule: field(event, 'policy', 'rule'),
      tool: field(event, 'tool'),
      severity: field(event, 'severity'),
      reason: field(event, 'reason', 'message'),
      attempt: field(event, 'attempt'),
    };
    return boundFinding({
      run,
      source,
      kind: field(event, 'type', 'kind') ?? 'event',
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    });
  });
}

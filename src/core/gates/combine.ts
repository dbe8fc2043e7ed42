import type { Decision } from '../verdict/decision.js';
import { worst } from '../verdict/decision.js';
import { MAX_REASON_CHARS, type Verdict } from '../verdict/verdict.js';
import { clauses, truncate } from '../support/text.js';
import type { GateEntryResult, RemovedEntry } from './types.js';

/** The verdict's `backend` for many gates: what their report and record are of, whichever entries ran. */
export const GATES_BACKEND = 'Reliability gates';

/** A decision as a verb of an entry. */
const VERB: Record<Decision, string> = { pass: 'passed', warn: 'warned', fail: 'failed' };

/** Entries named in the reason at most; the rest are counted. */
const NAMED_ENTRIES = 5;

/** The entries that ran, worst first (failing, then warning, then passing), each in the file's order. */
export function worstFirst<V extends { decision: Decision }>(
  entries: readonly GateEntryResult<V>[],
): GateEntryResult<V>[] {
  const rank: Record<Decision, number> = { fail: 0, warn: 1, pass: 2 };
  return entries
    .filter((entry) => entry.ran && entry.verdict)
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        rank[(a.entry.verdict as V).decision] - rank[(b.entry.verdict as V).decision] ||
        a.index - b.index,
    )
    .map(({ entry }) => entry);
}

/**
 * The step's verdict over its entries: the worst decision of those that ran (none ran: pass,
 * "no gate affected"); the entries not affected never count as passing evaluations. Its
 * `outcome` is `evaluated` when any entry evaluated (an entry's error is its own, said in its
 * section), `cancelled` when the job was, `error` when no entry that ran could evaluate.
 */
export function combineEntries(
  entries: GateEntryResult<Verdict>[],
  summary: { config: string; selection: string; removed?: RemovedEntry[] },
): Verdict {
  const ran = entries.filter((entry) => entry.ran && entry.verdict);
  const verdicts = ran.map((entry) => entry.verdict as Verdict);
  const skipped = entries.length - ran.length;
  const removed = summary.removed ?? [];
  // An entry the change removed was not evaluated: the step warns at best, never a silent success.
  const decision = verdicts.reduce<Decision>(
    (acc, v) => worst(acc, v.decision),
    removed.length > 0 ? REMOVED_DECIDES : 'pass',
  );
  const outcome: Verdict['outcome'] = verdicts.some((v) => v.outcome === 'cancelled')
    ? 'cancelled'
    : verdicts.length === 0 || verdicts.some((v) => v.outcome === 'evaluated')
      ? 'evaluated'
      : 'error';
  return {
    decision,
    reason: truncate(reasonOf(entries, decision, skipped, removed), MAX_REASON_CHARS),
    outcome,
    backend: GATES_BACKEND,
    ids: {},
    figures: {},
    thresholds: [],
    topFailingTools: [],
    durationMs: Math.max(0, ...verdicts.map((v) => v.durationMs)),
    gates: {
      config: summary.config,
      selection: summary.selection,
      entries,
      ...(removed.length > 0 ? { removed } : {}),
    },
  };
}

/** What an entry the change removed decides of the step: a warning, the least that is not silent. */
export const REMOVED_DECIDES: Decision = 'warn';

/** `; `support-agent` removed by this change (the base commit's last verdict: pass)`, named up to a few, the rest counted. */
function removedClause(removed: readonly RemovedEntry[]): string {
  if (removed.length === 0) return '';
  const named = removed
    .slice(0, NAMED_ENTRIES)
    .map((entry) => `\`${entry.name}\` (${entry.decision} on ${entry.sha.slice(0, 7)})`)
    .join(', ');
  const more = removed.length > NAMED_ENTRIES ? ` and ${removed.length - NAMED_ENTRIES} more` : '';
  return `; removed by this change, with the base commit's last verdict: ${named}${more}`;
}

function reasonOf(
  entries: GateEntryResult<Verdict>[],
  decision: Decision,
  skipped: number,
  removed: readonly RemovedEntry[],
): string {
  const ran = worstFirst(entries);
  const notAffected = skipped > 0 ? `; ${skipped} not affected` : '';
  const gone = removedClause(removed);
  if (ran.length === 0)
    return `No gate affected: none of the ${entries.length} ${entries.length === 1 ? "gate's" : "gates'"} paths matches the change, so none ran${gone}.`;
  // Every entry that ran passed, and the warning is the removed entries': they lead.
  if (decision === REMOVED_DECIDES && !ran.some((entry) => entry.verdict?.decision === decision))
    return `${gone.replace(/^; r/, 'R')}; ${ran.length === 1 ? 'the only gate that ran' : `the ${ran.length} gates that ran`} passed${notAffected}.`;
  const deciding = ran.filter((entry) => entry.verdict?.decision === decision);
  const shown = deciding.slice(0, NAMED_ENTRIES);
  // The reason's room shared among the entries it names: one failing entry is said whole, so
  // that the clause that decided it (often its last) is never the one cut.
  const each = Math.max(160, Math.floor((MAX_REASON_CHARS - 150) / shown.length) - 20);
  const named = shown
    .map((entry) =>
      decision === 'pass'
        ? `\`${entry.name}\``
        : `\`${entry.name}\` (${clauses((entry.verdict as Verdict).reason, each).replace(/\.$/, '')})`,
    )
    .join(decision === 'pass' ? ', ' : '; ');
  const more =
    deciding.length > NAMED_ENTRIES ? ` and ${deciding.length - NAMED_ENTRIES} more` : '';
  const of =
    ran.length === 1
      ? 'The only gate that ran'
      : `${deciding.length} of the ${ran.length} gates that ran`;
  return `${of} ${VERB[decision]}: ${named}${more}${notAffected}${gone}.`;
}

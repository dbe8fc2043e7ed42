import { BackendCallError } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import type { EventPage, ExperimentEvent } from './schemas.js';

/** The most pages read: 500 pages of 200 traces. A longer experiment fails closed, never judged in part. */
export const MAX_PAGES = 500;
/** The most distinct events (spans) kept while reading; past it the gate fails closed. */
export const MAX_EVENTS = 200_000;

const FETCH = 'POST /v1/experiment/{experiment_id}/fetch';

/** The experiment's rows: its root spans, each once. */
export interface ReadRows {
  rows: ExperimentEvent[];
  pages: number;
  /** Events a later page repeated (an older version of a row already read), dropped. */
  repeated: number;
}

/**
 * Reads every page of an experiment's events, the answer's `cursor` sent back until a page
 * comes without one (or without events). Braintrust paginates over the whole version history:
 * a later page may repeat a row with an older `_xact_id`, so each row is kept once, by `id`, at
 * its newest `_xact_id` (counted twice, it would pass or fail the gate on rows that do not exist).
 * Past {@link MAX_PAGES} or {@link MAX_EVENTS}, or on a cursor that comes back again, the gate
 * fails closed rather than judge part of the experiment.
 */
export async function readRows(
  experimentId: string,
  fetchPage: (cursor?: string) => Promise<EventPage>,
): Promise<ReadRows> {
  const events = new Map<string, ExperimentEvent>();
  const cursors = new Set<string>();
  let cursor: string | undefined;
  let repeated = 0;
  for (let pages = 1; pages <= MAX_PAGES; pages++) {
    const page = await fetchPage(cursor);
    for (const event of page.events) {
      if (event.experiment_id !== experimentId)
        throw new BackendCallError(
          FETCH,
          `${FETCH} was asked for the rows of experiment ${experimentId} and answered a row of experiment "${excerpt(event.experiment_id)}"; the gate fails closed.`,
        );
      if (keepNewest(events, event)) repeated++;
    }
    if (events.size > MAX_EVENTS)
      throw new BackendCallError(
        FETCH,
        `The experiment has more than ${MAX_EVENTS} spans, more than the gate reads; it fails closed rather than judge part of it. Gate a smaller experiment (e.g. one per suite, in many gates).`,
      );
    const next = page.cursor ?? undefined;
    if (page.events.length === 0 || next === undefined || next === '') {
      const rows = [...events.values()].filter(isRoot);
      return { rows, pages, repeated };
    }
    if (cursors.has(next))
      throw new BackendCallError(
        FETCH,
        `${FETCH} answered a cursor it had answered before (page ${pages}), so reading on would never end; the gate fails closed.`,
      );
    cursors.add(next);
    cursor = next;
  }
  throw new BackendCallError(
    FETCH,
    `The experiment has more than ${MAX_PAGES} pages of rows (${MAX_PAGES * 200} traces), more than the gate reads; it fails closed rather than judge part of it.`,
  );
}

/**
 * Keeps `event` in `events` unless a newer version of the same row is there. True when the
 * event repeats a row already read (whichever version is kept). Two different versions of one
 * row at the same `_xact_id` leave no newest: either could be read, so the gate fails closed
 * (as on JSON that names a field twice) rather than keep whichever came first.
 */
export function keepNewest(events: Map<string, ExperimentEvent>, read: ExperimentEvent): boolean {
  const event = slim(read);
  const kept = events.get(event.id);
  if (!kept || newerXact(event._xact_id, kept._xact_id)) events.set(event.id, event);
  else if (
    !newerXact(kept._xact_id, event._xact_id) &&
    JSON.stringify(kept) !== JSON.stringify(event)
  )
    throw new BackendCallError(
      FETCH,
      `${FETCH} answered two different versions of row "${excerpt(event.id)}" at one transaction (_xact_id ${excerpt(event._xact_id, 40)}); either could be read, so the gate fails closed.`,
    );
  return kept !== undefined;
}

/**
 * A span that is no row (an LLM call, a tool, a scorer) is kept by its ids alone: only a row's
 * input, error and scores are read, and a child span's prompt may be long. Kept whole, 200,000
 * of them could exhaust the heap, and a process that dies so leaves its check in progress.
 */
function slim(event: ExperimentEvent): ExperimentEvent {
  if (isRoot(event)) return event;
  const { id, _xact_id, experiment_id, span_id, root_span_id, span_parents, is_root } = event;
  return { id, _xact_id, experiment_id, span_id, root_span_id, span_parents, is_root };
}

/**
 * Whether transaction id `a` is later than `b`. Braintrust's are decimal numbers too large for a
 * double ("1000192656880881099"), increasing over time: compared by length, then digit by digit.
 */
export function newerXact(a: string, b: string): boolean {
  const digits = /^\d+$/;
  if (digits.test(a) && digits.test(b)) {
    const [x, y] = [a.replace(/^0+(?=\d)/, ''), b.replace(/^0+(?=\d)/, '')];
    return x.length !== y.length ? x.length > y.length : x > y;
  }
  return a > b;
}

/**
 * A row of the evaluation is a root span (`is_root`); where a server leaves `is_root` out, the
 * span that is its own trace's root, with no parent.
 */
export function isRoot(event: ExperimentEvent): boolean {
  if (typeof event.is_root === 'boolean') return event.is_root;
  return event.span_id === event.root_span_id && (event.span_parents ?? []).length === 0;
}

import { describe, expect, it } from 'vitest';
import {
  isRoot,
  keepNewest,
  MAX_PAGES,
  newerXact,
  readRows,
} from '../../../../src/core/backends/braintrust/rows.js';
import type {
  EventPage,
  ExperimentEvent,
} from '../../../../src/core/backends/braintrust/schemas.js';

const EXPERIMENT = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

const event = (
  id: string,
  xact: string,
  extra: Partial<ExperimentEvent> = {},
): ExperimentEvent => ({
  id,
  _xact_id: xact,
  experiment_id: EXPERIMENT,
  span_id: id,
  root_span_id: id,
  is_root: true,
  scores: { Factuality: 1 },
  ...extra,
});

describe('transaction ids', () => {
  it('compare as the large decimal numbers they are, not as doubles or text', () => {
    expect(newerXact('1000192656880881100', '1000192656880881099')).toBe(true);
    expect(newerXact('1000192656880881099', '1000192656880881100')).toBe(false);
    // Longer is later, whatever the first digit: text order would say otherwise.
    expect(newerXact('10000', '9999')).toBe(true);
    // Beyond a double's precision, two ids that differ by one are told apart.
    expect(newerXact('9007199254740993', '9007199254740992')).toBe(true);
    expect(newerXact('7', '7')).toBe(false);
  });
});

describe('a row read twice', () => {
  it('is kept once, at its newest version, whichever page came first', () => {
    const events = new Map<string, ExperimentEvent>();
    expect(keepNewest(events, event('a', '20', { scores: { Factuality: 1 } }))).toBe(false);
    expect(keepNewest(events, event('a', '10', { scores: { Factuality: 0 } }))).toBe(true);
    expect(events.get('a')?.scores).toEqual({ Factuality: 1 });
    expect(keepNewest(events, event('a', '30', { scores: { Factuality: 0.5 } }))).toBe(true);
    expect(events.get('a')?.scores).toEqual({ Factuality: 0.5 });
    expect(events.size).toBe(1);
  });
});

describe('root spans', () => {
  it('are the rows: by `is_root`, else a span that is its own root with no parent', () => {
    expect(isRoot(event('a', '1'))).toBe(true);
    expect(isRoot(event('a', '1', { is_root: false }))).toBe(false);
    expect(isRoot(event('a', '1', { is_root: null }))).toBe(true);
    expect(isRoot(event('c', '1', { is_root: null, root_span_id: 'a', span_parents: ['a'] }))).toBe(
      false,
    );
  });
});

describe('reading every page', () => {
  const pages = (list: EventPage[]) => {
    const asked: (string | undefined)[] = [];
    return {
      asked,
      fetch: (cursor?: string) => {
        asked.push(cursor);
        return Promise.resolve(list[asked.length - 1] ?? { events: [] });
      },
    };
  };

  it('sends each cursor back and stops at a page without one; repeats counted once', async () => {
    const source = pages([
      { events: [event('a', '30'), event('b', '29')], cursor: 'c1' },
      { events: [event('b', '5', { scores: { Factuality: 0 } }), event('c', '28')], cursor: 'c2' },
      { events: [event('d', '27')], cursor: null },
    ]);
    const read = await readRows(EXPERIMENT, source.fetch);
    expect(source.asked).toEqual([undefined, 'c1', 'c2']);
    expect(read.rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(read.rows.find((r) => r.id === 'b')?.scores).toEqual({ Factuality: 1 });
    expect(read).toMatchObject({ pages: 3, repeated: 1 });
  });

  it('fails closed on a cursor that comes back, a row of another experiment, or past the page cap', async () => {
    const loop = pages([
      { events: [event('a', '3')], cursor: 'c1' },
      { events: [event('b', '2')], cursor: 'c1' },
    ]);
    await expect(readRows(EXPERIMENT, loop.fetch)).rejects.toThrow(/answered before/);
    const foreign = pages([{ events: [event('a', '3', { experiment_id: 'other' })] }]);
    await expect(readRows(EXPERIMENT, foreign.fetch)).rejects.toThrow(
      /another experiment|experiment "other"/,
    );
    let n = 0;
    const endless = (): Promise<EventPage> =>
      Promise.resolve({ events: [event(`r${n}`, String(1000 - n))], cursor: `c${n++}` });
    await expect(readRows(EXPERIMENT, endless)).rejects.toThrow(`more than ${MAX_PAGES} pages`);
  });
});

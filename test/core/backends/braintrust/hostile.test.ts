import { describe, expect, it } from 'vitest';
import { keepNewest, readRows } from '../../../../src/core/backends/braintrust/rows.js';
import {
  EventPage,
  type ExperimentEvent,
} from '../../../../src/core/backends/braintrust/schemas.js';
import { tallyRows } from '../../../../src/core/backends/braintrust/tally.js';

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

describe('a hostile Braintrust', () => {
  it('a score outside 0..1, or no number, is schema drift: refused', () => {
    for (const s of [1.5, -0.1, 'NaN', '1', true, Number.POSITIVE_INFINITY]) {
      const r = EventPage.safeParse({ events: [{ ...event('a', '1'), scores: { F: s } }] });
      expect(r.success, String(s)).toBe(false);
    }
  });
  it('an error of any value but null is an error, never a pass; a missing score too', () => {
    for (const error of ['', false, 0, {}, []]) {
      const t = tallyRows([event('a', '1', { error })], 'Factuality', 1);
      expect(t.errored, JSON.stringify(error)).toBe(1);
    }
    const t = tallyRows([event('a', '1', { scores: {} })], 'Factuality', 1);
    expect(t.errored).toBe(1);
  });
  it('a transaction id with leading zeros compares as its number', () => {
    const events = new Map<string, ExperimentEvent>();
    keepNewest(events, event('a', '010', { scores: { Factuality: 0 } }));
    keepNewest(events, event('a', '9', { scores: { Factuality: 1 } }));
    expect(events.get('a')?.scores).toEqual({ Factuality: 0 });
  });
  it('two versions of one row at one transaction, different: fails closed', async () => {
    let i = 0;
    const pages: EventPage[] = [
      { events: [event('a', '5', { scores: { Factuality: 1 } })], cursor: 'c1' },
      { events: [event('a', '5', { scores: { Factuality: 0 } })], cursor: null },
    ];
    await expect(readRows(EXPERIMENT, () => Promise.resolve(pages[i++]!))).rejects.toThrow(
      /two different versions of row "a" at one transaction/,
    );
    // The same version twice is one row, read twice.
    let j = 0;
    const twice: EventPage[] = [
      { events: [event('a', '5')], cursor: 'c1' },
      { events: [event('a', '5')], cursor: null },
    ];
    const read = await readRows(EXPERIMENT, () => Promise.resolve(twice[j++]!));
    expect(read).toMatchObject({ pages: 2, repeated: 1 });
    expect(read.rows).toHaveLength(1);
  });
  it("keeps no child span's input: 200,000 long prompts held would exhaust the heap", () => {
    const events = new Map<string, ExperimentEvent>();
    const prompt = 'x'.repeat(1000);
    keepNewest(
      events,
      event('llm', '5', { is_root: false, span_parents: ['a'], input: prompt, error: prompt }),
    );
    expect(events.get('llm')).not.toHaveProperty('input');
    expect(events.get('llm')).not.toHaveProperty('error');
    keepNewest(events, event('a', '5', { input: prompt }));
    expect(events.get('a')?.input).toBe(prompt);
  });
});

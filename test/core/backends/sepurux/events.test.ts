import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_PER_RUN, readEvents } from '../../../../src/core/backends/sepurux/events.js';
import { groupFindings } from '../../../../src/core/verdict/why.js';

describe('readEvents reads what it can of an unpublished shape', () => {
  const event = {
    type: 'violation',
    decision: 'blocked',
    rule: 'r1',
    tool: 'db.write',
    severity: 'high',
    message: 'no',
    attempt: 1,
  };

  it.each([
    ['an array', [event]],
    ['an object with events', { events: [event] }],
    ['an object with items', { items: [event], next: null }],
    ['an object with data', { data: [event] }],
  ])('%s', (_what, answer) => {
    expect(readEvents(answer, 'run-1', 'policy')).toEqual([
      {
        run: 'run-1',
        source: 'policy',
        kind: 'violation',
        action: 'blocked',
        rule: 'r1',
        tool: 'db.write',
        severity: 'high',
        reason: 'no',
        attempt: '1',
      },
    ]);
  });

  it('takes the first of each pair of names, and calls a kindless event an event', () => {
    expect(
      readEvents(
        [
          {
            kind: 'k',
            type: 't',
            action: 'a',
            decision: 'd',
            policy: 'p',
            rule: 'r',
            reason: 'x',
            message: 'y',
          },
          {},
        ],
        'r',
        'security',
      ),
    ).toEqual([
      { run: 'r', source: 'security', kind: 't', action: 'a', rule: 'p', reason: 'x' },
      { run: 'r', source: 'security', kind: 'event' },
    ]);
  });

  it.each([
    ['null', null],
    ['a string', 'events'],
    ['an object without a list', { weird: true }],
    ['a list of strings', ['a', 'b']],
  ])('returns nothing it cannot read: %s', (_what, answer) => {
    expect(readEvents(answer, 'r', 'policy')).toBeUndefined();
  });

  it('bounds the number of events and the length of every field', () => {
    const many = Array.from({ length: 500 }, () => ({ type: 'x', reason: 'y'.repeat(10_000) }));
    const read = readEvents(many, 'r', 'policy')!;
    expect(read).toHaveLength(MAX_EVENTS_PER_RUN);
    expect(read[0]!.reason!.length).toBeLessThanOrEqual(200);
  });
});

describe('groupFindings', () => {
  it('groups by source, kind and action, largest first, keeping a few distinct tools, attempts and reasons', () => {
    const groups = groupFindings([
      {
        run: 'r',
        source: 'policy',
        kind: 'v',
        action: 'blocked',
        tool: 'a',
        attempt: '1',
        reason: 'x',
      },
      { run: 'r', source: 'security', kind: 'inj' },
      {
        run: 'r',
        source: 'policy',
        kind: 'v',
        action: 'blocked',
        tool: 'a',
        attempt: '2',
        reason: 'x',
      },
      {
        run: 'r',
        source: 'policy',
        kind: 'v',
        action: 'blocked',
        tool: 'b',
        attempt: '3',
        reason: 'z',
      },
    ]);
    expect(groups).toEqual([
      {
        source: 'policy',
        kind: 'v',
        action: 'blocked',
        count: 3,
        tools: ['a', 'b'],
        attempts: ['1', '2', '3'],
        reasons: ['x', 'z'],
      },
      { source: 'security', kind: 'inj', count: 1, tools: [], attempts: [], reasons: [] },
    ]);
  });

  it('keeps apart the events of different policies, and names the policy of each group', () => {
    const groups = groupFindings([
      {
        run: 'r',
        source: 'policy',
        kind: 'violation',
        action: 'blocked',
        rule: 'no-refund-over-500',
      },
      { run: 'r', source: 'policy', kind: 'violation', action: 'blocked', rule: 'pii-redaction' },
      {
        run: 'r',
        source: 'policy',
        kind: 'violation',
        action: 'blocked',
        rule: 'no-refund-over-500',
      },
    ]);
    expect(groups.map((g) => [g.rule, g.count])).toEqual([
      ['no-refund-over-500', 2],
      ['pii-redaction', 1],
    ]);
  });
});

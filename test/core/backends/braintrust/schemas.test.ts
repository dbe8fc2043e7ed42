import { describe, expect, it } from 'vitest';
import { EventPage } from '../../../../src/core/backends/braintrust/schemas.js';

const event = {
  id: 'row-1',
  _xact_id: '1000192656880881099',
  created: '2026-12-07T12:00:00Z',
  project_id: '5b1d3f7a-9c2e-4a6b-8d0f-2e4a6c8b0d1f',
  experiment_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  span_id: 'root-1',
  root_span_id: 'root-1',
  is_root: true,
  scores: { Factuality: 0.5, Relevance: null },
};

describe("an answer Braintrust's description does not allow fails closed", () => {
  it('takes a page the description allows', () => {
    expect(EventPage.safeParse({ events: [event], cursor: null }).success).toBe(true);
  });

  it.each([
    ['a score above 1', { scores: { Factuality: 1.5 } }],
    ['a negative score', { scores: { Factuality: -0.1 } }],
    ['a score that is text', { scores: { Factuality: '1' } }],
    ['no id', { id: undefined }],
    ['no _xact_id', { _xact_id: undefined }],
    ['an origin of an unknown type', { origin: { object_type: 'table', object_id: 'x', id: 'y' } }],
    ['tokens that are not a whole number', { metrics: { tokens: 1.5 } }],
  ])('refuses %s', (_, change) => {
    expect(EventPage.safeParse({ events: [{ ...event, ...change }] }).success).toBe(false);
  });
});

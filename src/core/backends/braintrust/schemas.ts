import { z } from 'zod';

// Answers of the Braintrust API, after reference/braintrust-openapi.json (Experiment,
// FetchExperimentEventsResponse, ExperimentEvent, Project, Organization). Only the fields the gate
// reads are checked, each as the description allows it: a score outside 0..1, an event without its
// id or transaction, an origin of an unknown type is schema drift, and the gate fails closed.

/** `Experiment` (getExperiment, getExperimentId). */
export const Experiment = z.object({
  id: z.string().min(1),
  project_id: z.string().min(1),
  name: z.string(),
  created: z.string().nullish(),
  deleted_at: z.string().nullish(),
  dataset_id: z.string().nullish(),
});
export type Experiment = z.output<typeof Experiment>;

/** The answer of `GET /v1/experiment`. */
export const ExperimentList = z.object({ objects: z.array(Experiment) });

/** `Project` (getProjectId). */
export const Project = z.object({ id: z.string().min(1), org_id: z.string(), name: z.string() });
export type Project = z.output<typeof Project>;

/** `Organization` (getOrganizationId). */
export const Organization = z.object({ id: z.string(), name: z.string() });

/** `ObjectReferenceNullish`: where a row was copied from (a dataset's record). */
const Origin = z.object({
  object_type: z.enum([
    'project_logs',
    'experiment',
    'dataset',
    'prompt',
    'function',
    'prompt_session',
  ]),
  object_id: z.string(),
  id: z.string(),
});

/** `ExperimentEvent`: one span of the experiment; a root span is one row of the evaluation. */
export const ExperimentEvent = z.object({
  id: z.string().min(1),
  _xact_id: z.string().min(1),
  experiment_id: z.string(),
  span_id: z.string(),
  root_span_id: z.string(),
  span_parents: z.array(z.string()).nullish(),
  is_root: z.boolean().nullish(),
  input: z.unknown().optional(),
  error: z.unknown().optional(),
  scores: z.record(z.string(), z.number().min(0).max(1).nullable()).nullish(),
  metrics: z.object({ tokens: z.number().int().nullish() }).loose().nullish(),
  origin: Origin.nullish(),
});
export type ExperimentEvent = z.output<typeof ExperimentEvent>;

/** `FetchExperimentEventsResponse`: a page of events, and the cursor of the next one. */
export const EventPage = z.object({
  events: z.array(ExperimentEvent),
  cursor: z.string().nullish(),
});
export type EventPage = z.output<typeof EventPage>;

/**
 * Braintrust's own message in an error body. Its errors are `text/plain`, or JSON the
 * description leaves open; a JSON object with `message` or `error` is read, else the text is.
 */
export function braintrustErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body || undefined;
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error'])
      if (typeof record[key] === 'string') return record[key] as string;
  }
  return undefined;
}

import type { JsonTransport } from '../../transport/http.js';
import type { BackendContext } from '../types.js';
import {
  braintrustErrorMessage,
  type EventPage,
  EventPage as EventPageSchema,
  type Experiment,
  Experiment as ExperimentSchema,
  ExperimentList,
  Organization,
  type Project,
  Project as ProjectSchema,
} from './schemas.js';

/** Traces asked for per page of rows: a page holds their spans too, so it stays well under the body cap. */
export const TRACES_PER_PAGE = 200;
/**
 * The largest page read. A row carries the case's input and output, which may be long; 32 MiB
 * holds a page of 200 traces of generous spans. A larger one fails closed, never cut.
 */
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/** Where a user who meets 401 or 403 looks: the key in `token`, and the project it may read. */
const AUTH_HINTS = {
  401: 'Check that `token` holds a valid Braintrust API key (Settings → API keys), from a secret.',
  403: "The API key in `token` may not read this project's experiments; use a key of the organization that owns it.",
};

/** The Braintrust API calls the gate makes (docs/braintrust.md): all of them read. */
export class BraintrustClient {
  private readonly api: JsonTransport;

  constructor(context: BackendContext, token: string) {
    this.api = context.transport({
      credentials: { Authorization: `Bearer ${token}` },
      errorMessage: braintrustErrorMessage,
    });
  }

  /** The experiment of this UUID. */
  experiment(id: string): Promise<Experiment> {
    return this.api.request({
      method: 'GET',
      path: `/v1/experiment/${encodeURIComponent(id)}`,
      name: 'GET /v1/experiment/{experiment_id}',
      schema: ExperimentSchema,
      idempotent: true,
      hints: {
        ...AUTH_HINTS,
        // Braintrust checks access before existence: an id it does not have is a 403 too.
        403: 'Check `experiment_id`: Braintrust answers 403 for an experiment that does not exist, as for one the API key in `token` may not read.',
        404: 'Check `experiment_id`: no experiment has this id.',
      },
    });
  }

  /**
   * Experiments of a project, the newest first: those of `name` (Braintrust's own filter, which
   * the gate checks again for an exact name), or with none the newest few, to say which exist.
   */
  async experiments(
    project: { name: string } | { id: string },
    name?: string,
  ): Promise<Experiment[]> {
    const query = new URLSearchParams(
      'name' in project ? { project_name: project.name } : { project_id: project.id },
    );
    if (name !== undefined) query.set('experiment_name', name);
    else query.set('limit', '20');
    const answer = await this.api.request({
      method: 'GET',
      path: `/v1/experiment?${query.toString()}`,
      name: 'GET /v1/experiment',
      schema: ExperimentList,
      idempotent: true,
      hints: {
        ...AUTH_HINTS,
        404: 'Check `project_name` (or `project_id`) and `experiment_name`.',
      },
    });
    return answer.objects;
  }

  /** The project an experiment belongs to: its name and organization. */
  project(id: string): Promise<Project> {
    return this.api.request({
      method: 'GET',
      path: `/v1/project/${encodeURIComponent(id)}`,
      name: 'GET /v1/project/{project_id}',
      schema: ProjectSchema,
      idempotent: true,
      hints: { ...AUTH_HINTS, 404: 'Check `project_name` or `project_id`.' },
    });
  }

  /** The organization's name, for the link to the experiment. */
  async organizationName(id: string): Promise<string> {
    const answer = await this.api.request({
      method: 'GET',
      path: `/v1/organization/${encodeURIComponent(id)}`,
      name: 'GET /v1/organization/{organization_id}',
      schema: Organization,
      idempotent: true,
      hints: AUTH_HINTS,
    });
    return answer.name;
  }

  /** One page of the experiment's events; `cursor` is the previous page's, sent back as it came. */
  fetchPage(experimentId: string, cursor?: string): Promise<EventPage> {
    return this.api.request({
      method: 'POST',
      path: `/v1/experiment/${encodeURIComponent(experimentId)}/fetch`,
      name: 'POST /v1/experiment/{experiment_id}/fetch',
      body: { limit: TRACES_PER_PAGE, ...(cursor !== undefined ? { cursor } : {}) },
      schema: EventPageSchema,
      // A fetch only reads: asking twice is safe.
      idempotent: true,
      maxBodyBytes: MAX_PAGE_BYTES,
      hints: {
        ...AUTH_HINTS,
        404: 'Check `experiment_name` or `experiment_id`: the experiment is gone.',
      },
    });
  }
}

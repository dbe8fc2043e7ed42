import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import {
  braintrustDescription,
  type FakeBraintrustOptions,
  type FakeExperiment,
  type FakeRow,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  ORG_ID,
  ORG_NAME,
  PROJECT_ID,
  PROJECT_NAME,
  rowsOf,
} from './fake-braintrust-data.js';

export * from './fake-braintrust-data.js';

/**
 * A Braintrust API (docs/braintrust.md) as msw handlers: experiments listed and read, their
 * projects and organization, their events fetched page by page with a cursor. Every request is
 * validated against Braintrust's published OpenAPI description and every answer against the
 * operation's response schema; `violations` lists what did not pass.
 */
export class FakeBraintrust {
  readonly requests: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: unknown;
  }[] = [];
  readonly violations: string[] = [];
  /**
   * The rows of an experiment `braintrust eval` logs (`POST /v1/experiment`, the examples'
   * stand-in): passing ones unless a test sets a regression, e.g. `() => rowsOf(10, 3)`.
   */
  loggedRows: () => FakeRow[] = () => rowsOf(10);
  private readonly experiments: FakeExperiment[];
  private readonly projects: { id: string; name: string; orgId: string }[];

  constructor(private readonly options: FakeBraintrustOptions = {}) {
    this.experiments = options.experiments ?? [experimentOf(rowsOf(10))];
    this.projects = [
      { id: PROJECT_ID, name: PROJECT_NAME, orgId: ORG_ID },
      ...(options.projects ?? []),
    ];
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(method: string, prefix: string) {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
  }

  handlers(): RequestHandler[] {
    return [
      http.all('*/v1/*', async ({ request }) => {
        const url = new URL(request.url);
        const path = url.pathname.replace(/^.*?(\/v1\/)/, '/v1/');
        const text = request.method === 'GET' ? '' : await request.text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          this.violations.push(`${request.method} ${path}: body is not JSON`);
        }
        const headers: Record<string, string> = {};
        request.headers.forEach((value, key) => (headers[key] = value));
        this.requests.push({ method: request.method, path: path + url.search, headers, body });
        this.violations.push(
          ...braintrustDescription().validate(request.method, path, url.searchParams, body),
        );
        if (headers.authorization !== `Bearer ${FAKE_BRAINTRUST_TOKEN}`)
          return this.refuse(request.method, path, 401, 'Invalid API key');
        return this.route(
          request.method,
          path,
          url.searchParams,
          body as { cursor?: string; limit?: number },
        );
      }),
    ];
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: { cursor?: string; limit?: number } | undefined,
  ): Response {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/experiment') {
      const projects = this.projects.filter(
        (p) => p.name === query.get('project_name') || p.id === query.get('project_id'),
      );
      const name = query.get('experiment_name');
      const objects = this.experiments
        .filter((e) => projects.some((p) => p.id === e.projectId))
        .filter((e) => name === null || e.name === name)
        .reverse()
        .slice(0, Number(query.get('limit') ?? 1000))
        .map((e) => this.view(e));
      return this.answer(method, '/v1/experiment', { objects });
    }
    if (method === 'POST' && path === '/v1/experiment') {
      // `braintrust eval` logging an experiment (the examples' stand-in): an existing one of the
      // same name in the project is returned unmodified, as the description says; a new one has
      // the rows of `loggedRows`.
      const { project_id: projectId, name } = body as unknown as {
        project_id: string;
        name?: string;
      };
      const same = this.experiments.find((e) => e.projectId === projectId && e.name === name);
      const experiment = same ?? {
        id: randomUUID(),
        name: name ?? `experiment-${this.experiments.length + 1}`,
        projectId,
        rows: this.loggedRows(),
      };
      if (!same) this.experiments.push(experiment);
      return this.answer(method, '/v1/experiment', this.view(experiment));
    }
    if (method === 'GET' && (m = /^\/v1\/experiment\/([^/]+)$/.exec(path))) {
      const experiment = this.experiments.find((e) => e.id === m![1]);
      // Braintrust checks access before existence: an experiment it does not have is a 403.
      return experiment
        ? this.answer(method, '/v1/experiment/{experiment_id}', this.view(experiment))
        : this.refuse(method, path, 403, `Missing read access to experiment ${m[1]}`);
    }
    if (method === 'GET' && (m = /^\/v1\/project\/([^/]+)$/.exec(path))) {
      const project = this.projects.find((p) => p.id === m![1]);
      return project
        ? this.answer(method, '/v1/project/{project_id}', {
            id: project.id,
            org_id: project.orgId,
            name: project.name,
          })
        : this.refuse(method, path, 403, `Missing read access to project ${m[1]}`);
    }
    if (method === 'GET' && (m = /^\/v1\/organization\/([^/]+)$/.exec(path)))
      return this.answer(method, '/v1/organization/{organization_id}', {
        id: m[1],
        name: m[1] === ORG_ID ? ORG_NAME : 'other org',
      });
    if (method === 'POST' && (m = /^\/v1\/experiment\/([^/]+)\/fetch$/.exec(path))) {
      const experiment = this.experiments.find((e) => e.id === m![1]);
      if (!experiment)
        return this.refuse(method, path, 403, `Missing read access to experiment ${m[1]}`);
      return this.answer(
        method,
        '/v1/experiment/{experiment_id}/fetch',
        this.page(experiment, body),
      );
    }
    return this.refuse(method, path, 400, `fake Braintrust has no route for ${method} ${path}`);
  }

  /** One page of events: `limit` traces (a root span and an LLM child span each), newest first. */
  private page(experiment: FakeExperiment, body: { cursor?: string; limit?: number } | undefined) {
    const size = this.options.pageSize ?? body?.limit ?? 100;
    const index = body?.cursor ? Number(Buffer.from(body.cursor, 'base64url').toString()) : 0;
    const rows = experiment.rows.map((row, i) => ({ row, i }));
    const slice = rows.slice(index * size, (index + 1) * size);
    const stale =
      index > 0
        ? rows.slice((index - 1) * size, (index - 1) * size + (this.options.staleRepeats ?? 0))
        : [];
    const events = [
      ...stale.flatMap(({ row, i }) =>
        this.events(experiment, { ...row, score: 0, scores: undefined, error: undefined }, i, 1),
      ),
      ...slice.flatMap(({ row, i }) => this.events(experiment, row, i, 5)),
    ];
    const more = (index + 1) * size < rows.length;
    return {
      events,
      ...(slice.length > 0
        ? { cursor: more ? Buffer.from(String(index + 1)).toString('base64url') : null }
        : {}),
    };
  }

  /** A row's root span and its child LLM span, at transaction `version` (higher is newer). */
  private events(experiment: FakeExperiment, row: FakeRow, i: number, version: number) {
    const common = {
      _xact_id: `10001926568808810${version}${String(i).padStart(4, '0')}`,
      created: new Date(Date.UTC(2026, 11, 7, 12, 0, i)).toISOString(),
      project_id: experiment.projectId,
      experiment_id: experiment.id,
      root_span_id: `root-${i}`,
    };
    const scores = row.scores ?? (row.score !== undefined ? { Factuality: row.score } : {});
    return [
      {
        ...common,
        id: `row-${i}`,
        span_id: `root-${i}`,
        span_parents: [],
        is_root: true,
        input: row.input,
        output: 'an answer',
        expected: null,
        error: row.error ?? null,
        scores,
        metrics: { start: 1, end: 2, ...(row.tokens !== undefined ? { tokens: row.tokens } : {}) },
        span_attributes: { name: 'eval', type: 'eval' },
        ...(row.datasetRecord
          ? {
              origin: {
                object_type: 'dataset',
                object_id: '3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a',
                id: row.datasetRecord,
              },
            }
          : {}),
      },
      {
        ...common,
        id: `llm-${i}`,
        span_id: `llm-${i}`,
        span_parents: [`root-${i}`],
        is_root: false,
        input: 'a prompt',
        output: 'an answer',
        // A child span's scores are not the row's: counted, they would change the verdict.
        scores: { Factuality: 0 },
        metrics: { tokens: 100 },
        span_attributes: { name: 'Chat Completion', type: 'llm' },
      },
    ];
  }

  private view(experiment: FakeExperiment) {
    return {
      id: experiment.id,
      project_id: experiment.projectId,
      name: experiment.name,
      description: null,
      created: '2026-12-07T12:00:00.000Z',
      public: false,
      deleted_at: experiment.deleted ? '2026-12-07T13:00:00.000Z' : null,
      dataset_id: '3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a',
    };
  }

  /** Answers with a body checked against the operation's 200 schema, so the fake cannot drift from it. */
  private answer(method: string, template: string, body: unknown): Response {
    const pointer = `#/paths/${template.replace(/\//g, '~1')}/${method.toLowerCase()}/responses/200/content/application~1json/schema`;
    this.violations.push(
      ...braintrustDescription().check(
        `response ${method} ${template}`,
        braintrustDescription().schema(pointer),
        body,
      ),
    );
    return HttpResponse.json(body as Record<string, unknown>);
  }

  /** An error as Braintrust sends it: `text/plain`, with a status the operation describes. */
  private refuse(method: string, path: string, status: number, text: string): Response {
    if (![400, 401, 403, 429, 500].includes(status))
      this.violations.push(`${method} ${path}: status ${status} is not described`);
    return new HttpResponse(text, { status, headers: { 'Content-Type': 'text/plain' } });
  }
}

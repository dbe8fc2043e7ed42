import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import {
  BASE_PATHS,
  type FakeCampaign,
  type FakeSepuruxOptions,
  type RecordedRequest,
} from './fake-sepurux-types.js';
import { batchView, type FakeRun, finishedAnswer, runView } from './fake-sepurux-views.js';
import { defaultCampaigns, worldEvents } from './fake-sepurux-world.js';

export * from './fake-sepurux-types.js';
export * from './fake-sepurux-draws.js';
export * from './fake-sepurux-world.js';

export const FAKE_TOKEN = 'sx_test_token_5f0c1b8e9a';
export const FAKE_PROJECT_ID = '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c';

/**
 * A stateful Sepurux backend (docs/sepurux.md) as msw handlers: traces, campaigns with
 * pages, CI runs and batches that turn terminal after a set time, idempotent run creation,
 * the events endpoints, and a log of every request; only under its base paths, as the contract
 * (section 2) has them. Its defaults are the one fake world (fake-sepurux-world.ts): the
 * campaigns the examples and the demo name, a regressing trace that fails wherever it is sent.
 * Used in process by the unit tests and over 127.0.0.1 by the end-to-end tests, the demo, the
 * benchmark and `npm run fake-backend`.
 */
export class FakeSepurux {
  readonly token: string;
  readonly projectId: string;
  readonly campaigns: FakeCampaign[];
  readonly traces = new Map<string, unknown>();
  readonly runs = new Map<string, FakeRun>();
  readonly batches = new Map<string, FakeRun[]>();
  readonly requests: RecordedRequest[] = [];
  private readonly idempotency = new Map<string, Record<string, unknown>>();
  private firstScenarioRuns: string[] | undefined;

  constructor(private readonly options: FakeSepuruxOptions = {}) {
    this.token = options.token ?? FAKE_TOKEN;
    this.projectId = options.projectId ?? FAKE_PROJECT_ID;
    this.campaigns = options.campaigns ?? defaultCampaigns();
  }

  /** The campaign named `name`. */
  campaign(name: string): FakeCampaign {
    const found = this.campaigns.find((c) => c.name === name);
    if (!found) throw new Error(`fake has no campaign ${name}`);
    return found;
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(method: string, prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
  }

  /**
   * Handlers for any origin, under each of the base paths (`basePaths`): the base URL decides
   * which. A path the real service does not have (another prefix, or `/v1` twice, as a base URL
   * that already ends in `/v1` makes) is a 404 before any route is tried.
   */
  handlers(): RequestHandler[] {
    return [
      http.all('*', async ({ request }) => {
        if (this.served(new URL(request.url).pathname)) return undefined;
        await this.record(request);
        return HttpResponse.json({ detail: 'Not Found' }, { status: 404 });
      }),
      http.post('*/v1/traces', async ({ request }) => {
        const body = await this.record(request);
        if (!this.projectAuthorized(request)) return unauthorized();
        if (body === null || typeof body !== 'object' || Array.isArray(body))
          return HttpResponse.json({ detail: 'trace must be a JSON object' }, { status: 422 });
        const id = randomUUID();
        this.traces.set(id, body);
        return HttpResponse.json(this.options.legacyTraceIds ? { id } : { trace_id: id }, {
          status: 201,
        });
      }),
      http.get('*/v1/campaigns', async ({ request }) => {
        await this.record(request);
        if (!this.projectAuthorized(request)) return unauthorized();
        const url = new URL(request.url);
        const name = url.searchParams.get('name');
        const matching =
          this.options.filtersByName && name
            ? this.campaigns.filter((c) => c.name === name)
            : this.campaigns;
        const size = this.options.pageSize ?? 50;
        const start = Number(url.searchParams.get('cursor') ?? 0);
        const page = matching.slice(start, start + size);
        const next = start + size < matching.length ? String(start + size) : null;
        return HttpResponse.json({
          campaigns: page.map(({ id, name: n }) => ({
            id,
            name: n,
            created_at: '2026-11-01T00:00:00Z',
          })),
          next_cursor: next,
        });
      }),
      http.post('*/v1/ci/runs', async ({ request }) => this.createRun(request)),
      http.get('*/v1/ci/runs/:id', async ({ request, params }) => {
        await this.record(request);
        if (!this.ciAuthorized(request)) return unauthorized();
        const run = this.runs.get(String(params.id));
        if (!run) return HttpResponse.json({ detail: 'run not found' }, { status: 404 });
        // A drawn outcome's lies (its own `trace_count`) apply to its run alone.
        return finishedAnswer(
          runView(run, this.traceOf(run), this.options),
          { ...run.campaign.outcome, ...run.drawn },
          Date.now() >= run.finishesAt,
        );
      }),
      http.get('*/v1/runs/:id/:events', async ({ request, params }) => {
        await this.record(request);
        if (!this.projectAuthorized(request)) return unauthorized();
        const source = { 'policy-events': 'policy', 'security-events': 'security' }[
          String(params.events)
        ] as 'policy' | 'security' | undefined;
        const run = this.runs.get(String(params.id));
        const events = this.options.events ?? worldEvents;
        const answer =
          run && source
            ? events({ id: run.id, traceId: run.traceId, trace: this.traceOf(run) }, source)
            : undefined;
        if (!answer) return HttpResponse.json({ detail: 'Not Found' }, { status: 404 });
        return HttpResponse.json(answer.body as Record<string, unknown>, {
          status: answer.status ?? 200,
        });
      }),
      http.get('*/v1/ci/batch/:id', async ({ request, params }) => {
        await this.record(request);
        if (!this.ciAuthorized(request)) return unauthorized();
        const runs = this.batches.get(String(params.id));
        if (!runs) return HttpResponse.json({ detail: 'batch not found' }, { status: 404 });
        return finishedAnswer(
          batchView(String(params.id), runs, this.options),
          runs[0]!.campaign.outcome,
          runs.every((r) => Date.now() >= r.finishesAt),
        );
      }),
    ];
  }

  private async createRun(request: Request): Promise<Response> {
    const body = (await this.record(request)) as
      { trace_id?: string; campaign_id?: string } | undefined;
    if (!this.ciAuthorized(request)) return unauthorized();
    const key = request.headers.get('idempotency-key');
    if (key && this.idempotency.has(key))
      return HttpResponse.json(this.idempotency.get(key), { status: 201 });
    const first = this.options.oneRunForEveryKey ? [...this.idempotency.values()][0] : undefined;
    if (first) return HttpResponse.json(first, { status: 201 });
    const campaign = this.campaigns.find((c) => c.id === body?.campaign_id);
    if (!campaign)
      return HttpResponse.json(
        { detail: `campaign ${body?.campaign_id} not found` },
        { status: 404 },
      );
    const now = Date.now();
    const newRun = (traceId: string | undefined, batchId?: string): FakeRun => {
      const run: FakeRun = {
        id: this.options.runId?.() ?? randomUUID(),
        campaign,
        traceId,
        batchId,
        createdAt: now,
        finishesAt: now + (campaign.finishAfterMs ?? 0),
        body,
        ...(campaign.draw ? { drawn: campaign.draw() } : {}),
      };
      this.runs.set(run.id, run);
      return run;
    };
    let answer: Record<string, unknown>;
    if (body?.trace_id) {
      if (this.options.rejectUnknownTraces && !this.traces.has(body.trace_id))
        return HttpResponse.json(
          { detail: `trace_id ${body.trace_id} is not a trace of this project` },
          { status: 422 },
        );
      answer = { run_id: newRun(body.trace_id).id };
    } else {
      const pool = campaign.evalSet ?? [];
      if (pool.length === 0)
        return HttpResponse.json(
          { detail: 'trace_id is required: the campaign has no eval-set' },
          { status: 422 },
        );
      if (campaign.minScenarios !== undefined && pool.length < campaign.minScenarios) {
        return HttpResponse.json(
          {
            detail: `eval-set has ${pool.length} traces, fewer than min_scenarios (${campaign.minScenarios})`,
          },
          { status: 422 },
        );
      }
      const batchId = randomUUID();
      const runs = pool.map((traceId) => newRun(traceId, batchId));
      this.batches.set(batchId, runs);
      this.firstScenarioRuns ??= runs.map((r) => r.id);
      answer = {
        run_id: runs[0]?.id,
        run_ids: this.options.sharedScenarioRuns ? this.firstScenarioRuns : runs.map((r) => r.id),
        trace_count: runs.length,
        ci_batch_id: batchId,
      };
    }
    if (key) this.idempotency.set(key, answer);
    return HttpResponse.json(answer, { status: 201 });
  }

  /** Whether `pathname` is a route under one of the base paths, with `/v1` once. */
  private served(pathname: string): boolean {
    return (this.options.basePaths ?? BASE_PATHS).some(
      (base) =>
        pathname.startsWith(`${base}/v1/`) && !pathname.slice(base.length + 3).includes('/v1/'),
    );
  }

  /** The uploaded trace a run replays, when it was uploaded here. */
  private traceOf(run: FakeRun): unknown {
    return run.traceId === undefined ? undefined : this.traces.get(run.traceId);
  }

  private projectAuthorized(request: Request): boolean {
    return (
      request.headers.get('x-api-key') === this.token &&
      request.headers.get('x-project-id') === this.projectId
    );
  }

  private ciAuthorized(request: Request): boolean {
    return request.headers.get('x-sepurux-token') === this.token || this.projectAuthorized(request);
  }

  private async record(request: Request): Promise<unknown> {
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    this.requests.push({
      method: request.method,
      path: url.pathname.replace(/^.*?(\/v1\/)/, '/v1/') + url.search,
      headers,
      body,
    });
    return body;
  }
}

function unauthorized() {
  return HttpResponse.json({ detail: 'Invalid API key or project' }, { status: 401 });
}

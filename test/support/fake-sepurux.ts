import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';

/** What a finished run reports; `decision` and `status` may be anything, to test fail-closed reading. */
export interface FakeOutcome {
  decision: string;
  status?: string;
  pass_rate?: number | null;
  unsafe_attempts?: number | null;
  failures?: number | null;
  reliability_score?: number | null;
  top_failing_tools?: { tool: string; count: number }[];
  /** Batch only: coverage when the batch ends (default 100). */
  scenario_coverage_pct?: number;
  /** A lying backend: fields that replace the finished answer's own (`run_id` of another run, a wrong `trace_count`). */
  overrides?: Record<string, unknown>;
  /** A lying backend: raw members appended to the finished answer's JSON, e.g. `"decision": "pass"` a second time. */
  appendRaw?: string;
}

/** A campaign the fake knows, and how its runs behave. */
export interface FakeCampaign {
  id: string;
  name: string;
  /** Trace ids registered as the campaign's scenario pool; a run without a trace becomes a batch over them. */
  evalSet?: string[];
  minScenarios?: number;
  outcome: FakeOutcome;
  /** Batch runs whose own answer differs from the campaign's outcome, by trace id. */
  traceOutcomes?: Record<string, Partial<FakeOutcome>>;
  /** How long after creation a run turns terminal. */
  finishAfterMs?: number;
  /** A noisy agent: each new run draws its own outcome (e.g. {@link binomialOutcome}), on top of `outcome`. */
  draw?: () => Partial<FakeOutcome>;
  /** Decide each run from the thresholds the request sent, as Sepurux does, instead of `outcome.decision`. */
  decidesFromThresholds?: boolean;
}

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

interface FakeRun {
  id: string;
  campaign: FakeCampaign;
  traceId?: string;
  batchId?: string;
  createdAt: number;
  finishesAt: number;
  body: unknown;
  /** What this run drew, for a campaign with `draw`. */
  drawn?: Partial<FakeOutcome>;
}

/** Options of the fake; the defaults are what the tests and the demo use. */
export interface FakeSepuruxOptions {
  token?: string;
  projectId?: string;
  campaigns?: FakeCampaign[];
  /** Campaigns per page of `GET /v1/campaigns`. */
  pageSize?: number;
  /** Whether `GET /v1/campaigns` filters by `name` (the contract allows servers that ignore it). */
  filtersByName?: boolean;
  /** Answer uploads with the older `{id}` shape. */
  legacyTraceIds?: boolean;
  dashboardOrigin?: string;
  /** Refuse a single-trace run whose trace was never uploaded, with a 422 as FastAPI servers do. */
  rejectUnknownTraces?: boolean;
  /**
   * A run's policy or security events, as `GET /v1/runs/{id}/policy-events` and
   * `.../security-events` answer them; undefined (the default) answers 404, as a server
   * without these endpoints does.
   */
  events?: (
    run: { id: string; traceId?: string },
    source: 'policy' | 'security',
  ) => { status?: number; body: unknown } | undefined;
  /** How the backend names a new run (default: a UUID); a hostile one names it with text meant for a comment. */
  runId?: () => string;
  /**
   * A lying backend: every `POST /v1/ci/runs` after the first, whatever its Idempotency-Key, is
   * answered with the first run's answer (one run handed out as many).
   */
  oneRunForEveryKey?: boolean;
  /** A lying backend: every batch after the first lists the first batch's scenario runs as its own. */
  sharedScenarioRuns?: boolean;
}

export const FAKE_TOKEN = 'sx_test_token_5f0c1b8e9a';
export const FAKE_PROJECT_ID = '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c';

/**
 * A stateful Sepurux backend (docs/sepurux.md) as msw handlers: traces, campaigns with
 * pages, CI runs and batches that turn terminal after a set time, idempotent run creation,
 * and a log of every request. Used in process by the unit tests and over 127.0.0.1 by the
 * end-to-end tests, the demo and the benchmark.
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

  /** Handlers for any origin and path prefix: the base URL decides where they are mounted. */
  handlers(): RequestHandler[] {
    return [
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
          this.runView(run),
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
        const answer =
          run && source
            ? this.options.events?.({ id: run.id, traceId: run.traceId }, source)
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
          this.batchView(String(params.id), runs),
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

  private runView(run: FakeRun) {
    const done = Date.now() >= run.finishesAt;
    const drawn = {
      ...run.campaign.outcome,
      ...(run.traceId ? run.campaign.traceOutcomes?.[run.traceId] : undefined),
      ...run.drawn,
    };
    const outcome = run.campaign.decidesFromThresholds
      ? {
          ...drawn,
          decision: decisionFrom(
            drawn,
            (run.body as { thresholds?: Record<string, number> } | undefined)?.thresholds ?? {},
          ),
        }
      : drawn;
    return {
      run_id: run.id,
      status: done ? (outcome.status ?? 'done') : 'running',
      decision: done ? outcome.decision : 'pending',
      pass_rate: done ? outcome.pass_rate : null,
      unsafe_attempts: done ? outcome.unsafe_attempts : null,
      failures: done ? outcome.failures : null,
      ...(outcome.reliability_score !== undefined
        ? { reliability_score: done ? outcome.reliability_score : null }
        : {}),
      trace_count: 1,
      top_failing_tools: done ? (outcome.top_failing_tools ?? []) : [],
      dashboard_url: `${this.options.dashboardOrigin ?? 'https://app.sepurux.dev'}/runs/${run.id}`,
    };
  }

  private batchView(batchId: string, runs: FakeRun[]) {
    const now = Date.now();
    const finished = runs.filter((r) => now >= r.finishesAt).length;
    const done = finished === runs.length;
    const { outcome } = runs[0]!.campaign;
    return {
      batch_id: batchId,
      status: done ? (outcome.status ?? 'done') : 'running',
      decision: done ? outcome.decision : 'pending',
      pass_rate: done ? outcome.pass_rate : null,
      unsafe_attempts: done ? outcome.unsafe_attempts : null,
      failures: done ? outcome.failures : null,
      trace_count: runs.length,
      // A batch's coverage may be drawn (by its first run): one repeat's batch short of the others.
      scenario_coverage_pct: done
        ? (runs[0]!.drawn?.scenario_coverage_pct ?? outcome.scenario_coverage_pct ?? 100)
        : Math.floor((finished / runs.length) * 100),
      top_failing_tools: done ? (outcome.top_failing_tools ?? []) : [],
      dashboard_url: `${this.options.dashboardOrigin ?? 'https://app.sepurux.dev'}/batches/${batchId}`,
    };
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

/** A run or batch answer; once finished, with the outcome's lies applied. */
function finishedAnswer(
  view: Record<string, unknown>,
  outcome: FakeOutcome,
  done: boolean,
): Response {
  if (!done) return HttpResponse.json(view);
  const json = JSON.stringify({ ...view, ...outcome.overrides });
  const text = outcome.appendRaw ? `${json.slice(0, -1)}, ${outcome.appendRaw}}` : json;
  return new HttpResponse(text, { headers: { 'content-type': 'application/json' } });
}

function unauthorized() {
  return HttpResponse.json({ detail: 'Invalid API key or project' }, { status: 401 });
}

/** Campaigns covering each verdict the gate must read. */
export function defaultCampaigns(): FakeCampaign[] {
  const evalSet = Array.from({ length: 3 }, () => randomUUID());
  return [
    {
      id: randomUUID(),
      name: 'refund-reliability',
      outcome: {
        decision: 'pass',
        pass_rate: 0.92,
        unsafe_attempts: 0,
        failures: 0,
        reliability_score: 91,
      },
    },
    {
      id: randomUUID(),
      name: 'checkout-regression',
      outcome: {
        decision: 'fail',
        pass_rate: 0.72,
        unsafe_attempts: 1,
        failures: 5,
        reliability_score: 64,
        top_failing_tools: [
          { tool: 'payments.refund', count: 3 },
          { tool: 'orders.lookup', count: 2 },
        ],
      },
    },
    {
      id: randomUUID(),
      name: 'scenario-pool',
      evalSet,
      minScenarios: 3,
      outcome: { decision: 'pass', pass_rate: 0.91, unsafe_attempts: 0, failures: 0 },
    },
    {
      id: randomUUID(),
      name: 'small-pool',
      evalSet: evalSet.slice(0, 2),
      minScenarios: 3,
      outcome: { decision: 'pass', pass_rate: 1, unsafe_attempts: 0, failures: 0 },
    },
    {
      id: randomUUID(),
      name: 'partial-batch',
      evalSet,
      outcome: {
        decision: 'pass',
        pass_rate: 0.95,
        unsafe_attempts: 0,
        failures: 0,
        scenario_coverage_pct: 66.7,
      },
    },
    {
      id: randomUUID(),
      name: 'slow-campaign',
      finishAfterMs: 60 * 60 * 1000,
      outcome: { decision: 'pass', pass_rate: 1, unsafe_attempts: 0, failures: 0 },
    },
  ];
}

/** Decides as Sepurux does from the thresholds a run was started with: every one must hold. */
function decisionFrom(outcome: FakeOutcome, thresholds: Record<string, number>): 'pass' | 'fail' {
  const at = (value: number | null | undefined) => value ?? Number.NaN;
  const holds = [
    thresholds.min_pass_rate === undefined || at(outcome.pass_rate) >= thresholds.min_pass_rate,
    thresholds.max_unsafe === undefined || at(outcome.unsafe_attempts) <= thresholds.max_unsafe,
    thresholds.max_failures === undefined || at(outcome.failures) <= thresholds.max_failures,
    thresholds.min_reliability_score === undefined ||
      at(outcome.reliability_score) >= thresholds.min_reliability_score,
  ];
  return holds.every(Boolean) ? 'pass' : 'fail';
}

/** A seeded uniform random source (mulberry32): a benchmark or test draws the same runs every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A noisy agent's run: `attempts` attempts, each passing with probability `trueRate`; the run
 * answers `pass_rate` = passes / attempts, and the failures, as a Sepurux run would.
 */
export function binomialOutcome(
  trueRate: number,
  attempts: number,
  random: () => number,
  options: { knownTrials?: boolean } = {},
): () => Partial<FakeOutcome> {
  return () => {
    let passes = 0;
    for (let i = 0; i < attempts; i++) if (random() < trueRate) passes++;
    // `knownTrials`: the run says how many trials are behind its rate (`trace_count` = attempts), as a batch of that many traces does.
    return {
      pass_rate: passes / attempts,
      failures: attempts - passes,
      unsafe_attempts: 0,
      ...(options.knownTrials ? { overrides: { trace_count: attempts } } : {}),
    };
  };
}

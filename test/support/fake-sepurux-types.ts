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

/** What `GET /v1/runs/{id}/policy-events` or `.../security-events` answers; undefined is a 404. */
export type FakeEvents = (
  run: { id: string; traceId?: string; trace?: unknown },
  source: 'policy' | 'security',
) => { status?: number; body: unknown } | undefined;

/** Options of the fake; the defaults are the one fake world the tests, the demo and `npm run fake-backend` share. */
export interface FakeSepuruxOptions {
  token?: string;
  projectId?: string;
  campaigns?: FakeCampaign[];
  /**
   * The base paths the API is served under (default {@link BASE_PATHS}); any other path, such as
   * a doubled `/v1/v1/campaigns`, is a 404, as the real service answers a path it does not have.
   */
  basePaths?: readonly string[];
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
   * What a run of an uploaded trace reports, decided by the trace's content whatever the
   * campaign (default {@link worldTraceOutcome}: a regressing trace fails wherever it is sent);
   * undefined leaves the campaign's outcome.
   */
  traceOutcome?: (trace: unknown) => Partial<FakeOutcome> | undefined;
  /**
   * A run's policy or security events (default {@link worldEvents}: the regression's events for
   * a run of the regressing trace, an empty list for any other run); a function that answers
   * undefined gives a 404, as a server without these endpoints does.
   */
  events?: FakeEvents;
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

/**
 * Where the fake serves the API: at the root, under `/api` (the tests' habit) and under
 * `/api/backend`, the public service's base (`https://app.sepurux.dev/api/backend`).
 */
export const BASE_PATHS = ['', '/api', '/api/backend'] as const;

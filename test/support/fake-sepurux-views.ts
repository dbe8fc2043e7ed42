import { HttpResponse } from 'msw';
import { decisionFrom } from './fake-sepurux-draws.js';
import type { FakeCampaign, FakeOutcome, FakeSepuruxOptions } from './fake-sepurux-types.js';
import { worldTraceOutcome } from './fake-sepurux-world.js';

/** A run the fake started: its campaign, its trace, when it turns terminal, what it drew. */
export interface FakeRun {
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

/** `GET /v1/ci/runs/{id}`: a run's answer, its outcome decided by campaign, draw, thresholds, then its trace. */
export function runView(run: FakeRun, trace: unknown, options: FakeSepuruxOptions) {
  const done = Date.now() >= run.finishesAt;
  const drawn = {
    ...run.campaign.outcome,
    ...(run.traceId ? run.campaign.traceOutcomes?.[run.traceId] : undefined),
    ...run.drawn,
  };
  const decided = run.campaign.decidesFromThresholds
    ? {
        ...drawn,
        decision: decisionFrom(
          drawn,
          (run.body as { thresholds?: Record<string, number> } | undefined)?.thresholds ?? {},
        ),
      }
    : drawn;
  // The trace decides last: a regressing trace fails whatever campaign it is sent to.
  const traceOutcome = options.traceOutcome ?? worldTraceOutcome;
  const outcome = { ...decided, ...(trace === undefined ? undefined : traceOutcome(trace)) };
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
    dashboard_url: `${options.dashboardOrigin ?? 'https://app.sepurux.dev'}/runs/${run.id}`,
  };
}

/** `GET /v1/ci/batch/{id}`: a batch's answer, from its campaign's outcome. */
export function batchView(batchId: string, runs: FakeRun[], options: FakeSepuruxOptions) {
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
    dashboard_url: `${options.dashboardOrigin ?? 'https://app.sepurux.dev'}/batches/${batchId}`,
  };
}

/** A run or batch answer; once finished, with the outcome's lies applied. */
export function finishedAnswer(
  view: Record<string, unknown>,
  outcome: FakeOutcome,
  done: boolean,
): Response {
  if (!done) return HttpResponse.json(view);
  const json = JSON.stringify({ ...view, ...outcome.overrides });
  const text = outcome.appendRaw ? `${json.slice(0, -1)}, ${outcome.appendRaw}}` : json;
  return new HttpResponse(text, { headers: { 'content-type': 'application/json' } });
}

/**
 * The one fake world of Sepurux that the tests, `npm run demo`, `npm run bench` and
 * `npm run fake-backend` share: the campaigns every example and the demo name, a regression
 * decided by the trace sent (not by the campaign it is sent to), and the events a failing run
 * of it recorded.
 */
import { randomUUID } from 'node:crypto';
import { binomialOutcome, seededRandom } from './fake-sepurux-draws.js';
import type { FakeCampaign, FakeEvents, FakeOutcome } from './fake-sepurux-types.js';

/** What a run of a healthy agent reports: refund-reliability's outcome. */
const PASSING: FakeOutcome = {
  decision: 'pass',
  pass_rate: 0.92,
  unsafe_attempts: 0,
  failures: 0,
  reliability_score: 91,
};

/** What a run of the regressing trace reports, whatever its campaign: checkout-regression's outcome. */
export const REGRESSION: FakeOutcome = {
  decision: 'fail',
  pass_rate: 0.72,
  unsafe_attempts: 1,
  failures: 5,
  reliability_score: 64,
  top_failing_tools: [
    { tool: 'payments.refund', count: 3 },
    { tool: 'orders.lookup', count: 2 },
  ],
};

/** The `name` of the regressing trace: examples/traces/checkout_flow.json, the demo's regression. */
export const REGRESSING_TRACE_NAME = 'checkout_flow';

/** Whether an uploaded trace is the regressing one (by its `name`, as the recorded file has it). */
export function isRegressingTrace(trace: unknown): boolean {
  return (
    trace !== null &&
    typeof trace === 'object' &&
    (trace as { name?: unknown }).name === REGRESSING_TRACE_NAME
  );
}

/** The world's runs by their trace: the regressing trace fails wherever it is sent; others keep their campaign's outcome. */
export function worldTraceOutcome(trace: unknown): Partial<FakeOutcome> | undefined {
  return isRegressingTrace(trace) ? structuredClone(REGRESSION) : undefined;
}

/** What Sepurux recorded about the regression's failing run: the "why" a reviewer reads first. */
export const WORLD_EVENTS = {
  policy: [
    {
      type: 'policy_violation',
      action: 'blocked',
      policy: 'refund-limit',
      tool: 'payments.refund',
      attempt: 2,
      reason: 'Refund of 4200 exceeds the 500 limit',
    },
    {
      type: 'policy_violation',
      action: 'blocked',
      policy: 'refund-limit',
      tool: 'payments.refund',
      attempt: 4,
      reason: 'Refund of 9000 exceeds the 500 limit',
    },
  ],
  security: [
    {
      type: 'prompt_injection',
      action: 'flagged',
      policy: 'untrusted-content',
      tool: 'web.fetch',
      severity: 'high',
      reason: 'tool output asked to ignore previous instructions',
    },
  ],
};

/**
 * The events endpoints as a server that has them answers: the regression's events for a run of
 * the regressing trace, an empty list (nothing recorded) for any other run.
 */
export const worldEvents: FakeEvents = (run, source) => ({
  body: isRegressingTrace(run.trace) ? WORLD_EVENTS[source] : [],
});

/**
 * The campaigns of the world: one for each verdict the gate must read, the campaigns
 * examples/reliability-gates.yml and the matrix example name (`support-`, `billing-`,
 * `refunds-reliability`), and the demo's noisy agent (`refund-noisy`: 20 attempts at 90% per
 * run, seeded, decided from the thresholds sent).
 */
export function defaultCampaigns(): FakeCampaign[] {
  const evalSet = Array.from({ length: 3 }, () => randomUUID());
  const passing = (name: string): FakeCampaign => ({
    id: randomUUID(),
    name,
    outcome: { ...PASSING },
  });
  return [
    passing('refund-reliability'),
    { id: randomUUID(), name: 'checkout-regression', outcome: structuredClone(REGRESSION) },
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
    {
      ...passing('refund-noisy'),
      draw: binomialOutcome(0.9, 20, seededRandom(3)),
      decidesFromThresholds: true,
    },
    passing('support-reliability'),
    passing('billing-reliability'),
    passing('refunds-reliability'),
  ];
}

import { BackendCallError } from '../../support/errors.js';
import type { PollState } from '../../support/poll.js';
import type { Decision, Evaluation, Figures, GateIds, Threshold } from '../../verdict/verdict.js';
import type { SepuruxInputs } from './inputs.js';
import type { Progress } from './schemas.js';
import { SEPURUX_THRESHOLDS } from './vocabulary.js';
import { type ErrorBars, intervalOf, wilsonInterval } from '../../support/stats.js';
import { excerpt } from '../../support/text.js';

const TERMINAL = new Set(['completed', 'done', 'failed', 'pass', 'fail']);
const IN_PROGRESS = new Set(['pending', 'queued', 'running', 'in_progress']);
/** Terminal statuses that are themselves a failing verdict, whatever `decision` says. */
const FAILING_STATUSES = new Set(['failed', 'fail']);
/** Why a run that ended `failed` is no verdict: said once, whether it decides alone or among repeats. */
const FAILED_RUN =
  'the evaluation itself failed (status "failed"), so there is no verdict to trust';

/** What the gate polls: a run or a batch, by the id `POST /v1/ci/runs` gave. */
export interface PolledResource {
  call: string;
  field: 'run_id' | 'batch_id';
  id: string;
}

/**
 * Reads a run or batch answer. An unknown status is schema drift, and an answer about another
 * run or batch than the one asked for cannot be the verdict: both fail the gate.
 */
export function progressState(answer: Progress, polled: PolledResource): PollState {
  const { call, field, id } = polled;
  const answeredFor = field in answer ? (answer as Record<string, unknown>)[field] : undefined;
  if (answeredFor !== id) {
    throw new BackendCallError(
      call,
      `${call} was asked about ${field} "${id}" and answered about "${excerpt(String(answeredFor), 80)}"; the answer cannot be this gate's verdict, so the gate fails closed.`,
    );
  }
  const status = answer.status.toLowerCase();
  if (!TERMINAL.has(status) && !IN_PROGRESS.has(status)) {
    throw new BackendCallError(
      call,
      `${call} answered an unknown status "${excerpt(answer.status)}"; the gate fails closed rather than guess.`,
    );
  }
  const coverage =
    'scenario_coverage_pct' in answer && answer.scenario_coverage_pct != null
      ? `${answer.scenario_coverage_pct}% covered`
      : undefined;
  return { terminal: TERMINAL.has(status), status, progress: coverage };
}

/** The thresholds the gate checks itself, from the inputs; coverage only for a batch. */
export function sepuruxThresholds(
  inputs: SepuruxInputs & { min_coverage: number },
  batch: boolean,
): Threshold[] {
  return SEPURUX_THRESHOLDS.filter((spec) => batch || spec.input !== 'min_coverage').flatMap(
    (spec) => {
      const limit = inputs[spec.input as keyof typeof inputs];
      return typeof limit === 'number' ? [{ ...spec, limit, breaks: 'fail' as const }] : [];
    },
  );
}

/** With `confidence`: the level of the pass rate's Wilson interval, and what an interval across `min_pass_rate` decides. */
export interface IntervalJudgement {
  confidence: number;
  onInconclusive: 'warn' | 'fail';
}

/**
 * The terminal answer as an {@link Evaluation}; anything but an explicit, consistent pass
 * decides `fail`. `startedTraces` is what run creation said a batch started. With `judged`,
 * `min_pass_rate` is judged on the pass rate's Wilson interval, where the count behind it gives one.
 */
export function toEvaluation(
  answer: Progress,
  ids: GateIds,
  thresholds: Threshold[],
  startedTraces?: number,
  judged?: IntervalJudgement,
): Evaluation {
  const status = answer.status.toLowerCase();
  const said = (answer.decision ?? '').toLowerCase();
  // Some servers put the verdict in `status` alone: it is read only where no decision is given,
  // so an unknown decision ("failed", "block") can never be passed over for a status "pass".
  const verdict = said === '' && (status === 'pass' || status === 'fail') ? status : said;
  const contradiction =
    ids.batch_id === undefined ? undefined : batchContradiction(answer, startedTraces);
  const { decision, reason } = contradiction
    ? { decision: 'fail' as const, reason: contradiction }
    : readDecision(status, verdict);
  const uncovered = status === 'failed' ? undefined : coverageShortfall(answer, thresholds);
  const bars = passRateBars(answer, judged?.confidence ?? 0.95);
  const interval = judged && intervalOf(bars.errorBars, 'pass_rate');
  return {
    decision,
    status,
    reason,
    // A run that ended `failed` evaluated nothing: its figures are not a sample.
    ...(status === 'failed'
      ? { unevaluated: FAILED_RUN }
      : uncovered
        ? { unevaluated: uncovered }
        : {}),
    ids,
    dashboardUrl: answer.dashboard_url ?? undefined,
    figures: figuresOf(answer),
    ...bars,
    thresholds: interval
      ? thresholds.map((t) =>
          t.figure === 'pass_rate' ? { ...t, interval, onInconclusive: judged.onInconclusive } : t,
        )
      : thresholds,
    topFailingTools: answer.top_failing_tools ?? [],
  };
}

function readDecision(status: string, verdict: string): { decision: Decision; reason?: string } {
  if (status === 'failed') return { decision: 'fail', reason: FAILED_RUN };
  if (verdict === 'pass' && FAILING_STATUSES.has(status)) {
    return {
      decision: 'fail',
      reason: `the answer contradicts itself (status "${status}", decision "pass"), so the gate fails closed`,
    };
  }
  if (verdict === 'pass') return { decision: 'pass' };
  if (verdict === 'fail') return { decision: 'fail' };
  return {
    decision: 'fail',
    reason: `finished (status "${excerpt(status)}") with decision "${excerpt(verdict) || 'none'}", which is neither pass nor fail, so the gate fails closed`,
  };
}

/**
 * Checks a finished batch against what `POST /v1/ci/runs` said it started: a batch that
 * reports fewer (or more) traces than it started, or a pass over no trace at all, is not a
 * verdict on the campaign. Returns why, or undefined when it agrees.
 */
function batchContradiction(answer: Progress, started: number | undefined): string | undefined {
  const reported = answer.trace_count ?? undefined;
  if (started !== undefined && reported === undefined) {
    return `the batch does not say how many traces it evaluated (${started} were started), so its figures may not cover the campaign and the gate fails closed`;
  }
  if (started !== undefined && reported !== undefined && reported !== started) {
    return `the batch reports ${reported} traces but ${started} were started, so its figures do not cover the campaign and the gate fails closed`;
  }
  if (reported === 0) {
    return 'the batch evaluated no trace at all, so there is no verdict to trust and the gate fails closed';
  }
  // A batch passes only when every scenario run passed (the seed's batch rule): a pass beside
  // failures contradicts itself. Its pass rate may be under 1 (attempts within the scenarios).
  const said = (answer.decision ?? '').toLowerCase();
  if (said === 'pass' && typeof answer.failures === 'number' && answer.failures > 0) {
    return `the batch says pass, yet reports ${answer.failures} failure${answer.failures === 1 ? '' : 's'}; a batch passes only when every scenario run passed, so the gate fails closed`;
  }
  return undefined;
}

/**
 * A batch that ran fewer of the campaign's scenarios than `min_coverage` asks evaluated only
 * part of it: not a sample of the campaign (a repeat of it is never pooled), but an error.
 */
function coverageShortfall(answer: Progress, thresholds: Threshold[]): string | undefined {
  const floor = thresholds.find((t) => t.input === 'min_coverage')?.limit;
  const covered = 'scenario_coverage_pct' in answer ? answer.scenario_coverage_pct : undefined;
  if (floor === undefined) return undefined;
  // A batch that does not say its coverage may have run any part of the campaign.
  if (typeof covered !== 'number')
    return "the batch does not say how much of the campaign's scenarios it ran (`scenario_coverage_pct`), so its figures may not be the campaign's";
  if (covered >= floor) return undefined;
  return `the batch ran ${covered}% of the campaign's scenarios, below \`min_coverage\` (${floor}%), so its figures are not the campaign's`;
}

function figuresOf(answer: Progress): Figures {
  const figures: Figures = {};
  const put = (key: keyof Figures, value: number | null | undefined) => {
    if (value !== null && value !== undefined) figures[key] = value;
  };
  put('pass_rate', answer.pass_rate);
  put('unsafe_attempts', answer.unsafe_attempts);
  put('failures', answer.failures);
  put('reliability_score', answer.reliability_score);
  put('trace_count', answer.trace_count);
  if ('scenario_coverage_pct' in answer) put('scenario_coverage_pct', answer.scenario_coverage_pct);
  return figures;
}

/**
 * The Wilson interval of the pass rate, when the count behind it is known: two traces or more,
 * and a rate that is a whole number of passes out of them (a rounded rate is not a count).
 */
function passRateBars(answer: Progress, confidence: number): { errorBars?: ErrorBars } {
  const n = answer.trace_count;
  const rate = answer.pass_rate;
  if (
    typeof n !== 'number' ||
    typeof rate !== 'number' ||
    !Number.isInteger(n) ||
    n < 2 ||
    rate < 0 ||
    rate > 1
  )
    return {};
  const passes = rate * n;
  if (Math.abs(passes - Math.round(passes)) > 0.01) return {};
  const interval = wilsonInterval(Math.round(passes), n, confidence);
  return interval
    ? {
        errorBars: {
          basis: 'trace count',
          intervals: [{ figure: 'pass_rate', label: 'pass rate', interval }],
          regressed: [],
        },
      }
    : {};
}

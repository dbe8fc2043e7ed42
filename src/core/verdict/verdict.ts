import { type Decision, worst } from './decision.js';
import { type Figures, type FigureSpec, figuresOutOfDomain } from './figures.js';
import { type ErrorBars } from '../support/stats.js';
import { excerpt, truncate } from '../support/text.js';
import type { Why } from './why.js';
import {
  checkThreshold,
  describeThreshold,
  type Threshold,
  type ThresholdResult,
  unmeasuredSentence,
} from './threshold.js';

/** A reason is one sentence: a backend that answers a 2 MiB message does not get a 2 MiB reason. */
export const MAX_REASON_CHARS = 1000;
/** How much of a backend's own explanation a reason quotes. */
const MAX_SAID_CHARS = 500;

export type { Decision } from './decision.js';
export { worst } from './decision.js';

export type { Figures } from './figures.js';

// A threshold's types and checks live in threshold.ts; a verdict's readers find them here too.
export type { Threshold, ThresholdResult, ThresholdRule, ThresholdSpec } from './threshold.js';
export { checkThreshold, describeThreshold } from './threshold.js';

/** Ids the gate learned, by the names their backend declares (`run_id`); every one is an output. */
export type GateIds = Record<string, string | undefined>;

/*
 * A verdict is the gate's own fields and the sections its features add: repeats, retries,
 * shards, many gates, the base branch, its history, the cases. Each feature declares its
 * section in its own folder (`declare module '../verdict/verdict.js'`), so that this file
 * imports none of them, and a new feature is one more section, not one more import here.
 */

/** The sections features add to an evaluation (a backend's cases): declared by each feature. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by features
export interface EvaluationSections {}

/** The sections features add to a verdict: declared by each feature in its own folder. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by features
export interface VerdictSections {}

/** What a backend hands back once its evaluation is terminal. */
export interface Evaluation extends EvaluationSections {
  /** The backend's own decision, mapped to ours (an unknown one is already `fail`). */
  decision: Decision;
  /** The backend's final status string, as it said it. */
  status: string;
  /** The backend's own explanation, when it gives one. */
  reason?: string;
  ids: GateIds;
  dashboardUrl?: string;
  figures: Figures;
  thresholds: Threshold[];
  topFailingTools: { tool: string; count: number }[];
  errorBars?: ErrorBars;
  /**
   * Why the backend could not evaluate at all (a run that ended `failed`, items it never
   * scored): the verdict is an error, `fail`, never a sample of a pooled or sequential verdict.
   */
  unevaluated?: string;
}

/** The normalized verdict every reporter renders: the gate's fields, and each feature's section. */
export interface Verdict extends VerdictSections {
  /** What was evaluated (the backend's `comparable` declarations): a base verdict of something else is not comparable. */
  evaluated?: Record<string, string>;
  decision: Decision;
  /** One sentence a reviewer understands. */
  reason: string;
  /** `error` when the gate could not reach a verdict (bad answer, timeout, failed call); `cancelled` when the job was. */
  outcome: 'evaluated' | 'error' | 'cancelled';
  backend: string;
  status?: string;
  /** What the backend itself decided, before the gate's own checks; absent when it never said. */
  backendDecision?: Decision;
  ids: GateIds;
  dashboardUrl?: string;
  figures: Figures;
  thresholds: ThresholdResult[];
  topFailingTools: { tool: string; count: number }[];
  /** Why a failing verdict failed, when the backend could say; never part of the decision. */
  why?: Why;
  /** Error bars from per-item scores, when the backend gives them. */
  errorBars?: ErrorBars;
  durationMs: number;
}

/** What `decide` needs to know of a backend: its name and the figures it declares. */
export interface BackendVocabulary {
  displayName: string;
  figures: readonly FigureSpec[];
  /** A backend that reads an evaluation already run decides nothing itself: its figures are judged. */
  evaluates?: { kind: 'service' | 'reads'; judgedByThresholds?: boolean };
}

/**
 * Decides. `pass` only when the backend said pass and every threshold holds on the figures it
 * returned; otherwise the most severe of the backend's decision and the broken thresholds.
 */
export function decide(
  vocabulary: BackendVocabulary,
  evaluation: Evaluation,
  durationMs: number,
): Verdict {
  const backend = vocabulary.displayName;
  if (evaluation.unevaluated) {
    const reason = `${backend} could not evaluate: ${evaluation.unevaluated.replace(/\.$/, '')}.`;
    // Of a run without a verdict only its coverage is kept (its shortfall is why): no figure of
    // it is judged, pooled or set as an output.
    const coverage = Object.entries(evaluation.figures).filter(
      ([name]) => vocabulary.figures.find((spec) => spec.name === name)?.coverage,
    );
    return {
      ...failedVerdict(backend, reason, evaluation.ids, durationMs),
      status: evaluation.status,
      dashboardUrl: evaluation.dashboardUrl,
      ...(coverage.length ? { figures: Object.fromEntries(coverage) } : {}),
    };
  }
  const untrusted = figuresOutOfDomain(evaluation.figures, vocabulary.figures);
  if (untrusted.length > 0) {
    const reason = `${backend} answered ${untrusted.length === 1 ? 'a figure' : 'figures'} outside ${untrusted.length === 1 ? 'its' : 'their'} domain (${untrusted.join('; ')}), so the gate fails closed rather than judge ${untrusted.length === 1 ? 'it' : 'them'}.`;
    return {
      ...failedVerdict(backend, reason, evaluation.ids, durationMs),
      status: evaluation.status,
      dashboardUrl: evaluation.dashboardUrl,
      figures: evaluation.figures,
    };
  }
  const thresholds = evaluation.thresholds.map((t) =>
    checkThreshold(t, evaluation.figures, vocabulary.figures),
  );
  const broken = thresholds.filter((t) => !t.holds);
  const decision = broken.reduce<Decision>((acc, t) => worst(acc, t.breaks), evaluation.decision);
  return {
    decision,
    reason: truncate(
      explain(
        backend,
        evaluation,
        broken,
        thresholds,
        vocabulary.evaluates?.kind === 'reads' || vocabulary.evaluates?.judgedByThresholds === true,
      ),
      MAX_REASON_CHARS,
    ),
    outcome: 'evaluated',
    backend,
    status: evaluation.status,
    backendDecision: evaluation.decision,
    ids: evaluation.ids,
    dashboardUrl: evaluation.dashboardUrl,
    figures: evaluation.figures,
    thresholds,
    topFailingTools: evaluation.topFailingTools,
    ...(evaluation.errorBars ? { errorBars: evaluation.errorBars } : {}),
    ...(evaluation.cases ? { cases: evaluation.cases } : {}),
    durationMs,
  };
}

function explain(
  backend: string,
  evaluation: Evaluation,
  broken: ThresholdResult[],
  thresholds: ThresholdResult[],
  /** The backend only read the evaluation: the thresholds alone decide, and nothing "said pass". */
  judgedHere = false,
): string {
  const checked = thresholds.length;
  const said = evaluation.reason
    ? `${backend}: ${excerpt(evaluation.reason, MAX_SAID_CHARS).replace(/\.$/, '')}`
    : `${backend} decided ${evaluation.decision}`;
  const breaks = broken.map(describeThreshold).join('; ');
  if (evaluation.decision === 'pass' && broken.length === 0) {
    // A comparison that could not be made holds only by policy: the reason says so.
    const uncompared = thresholds
      .filter((t) => t.actual === undefined && t.unmeasured)
      .map(unmeasuredSentence);
    const held = checked - uncompared.length;
    if (uncompared.length > 0 && held === 0) return `${said}; ${uncompared.join('; ')}.`;
    if (uncompared.length > 0)
      return `${said}, and ${held} of ${checked} thresholds ${held === 1 ? 'holds' : 'hold'}; ${uncompared.join('; ')}.`;
    return checked > 1
      ? `${said}, and all ${checked} thresholds hold.`
      : checked === 1
        ? `${said}, and its threshold holds.`
        : `${said}.`;
  }
  if (evaluation.decision === 'pass' && broken.every((t) => t.unmeasured && t.actual === undefined))
    return `${said}, but ${breaks}.`;
  if (evaluation.decision === 'pass' && !judgedHere)
    return `${backend} said pass, but the gate's own check fails: ${breaks}.`;
  return broken.length > 0 ? `${said}; ${breaks}.` : `${said}.`;
}

/** The verdict when the gate could not evaluate: always `fail`, with the error as the reason. */
export function failedVerdict(
  backend: string,
  reason: string,
  ids: GateIds,
  durationMs: number,
): Verdict {
  return {
    decision: 'fail',
    reason: truncate(reason, MAX_REASON_CHARS),
    outcome: 'error',
    backend,
    ids,
    figures: {},
    thresholds: [],
    topFailingTools: [],
    durationMs,
  };
}

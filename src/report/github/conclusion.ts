import type { Mode } from '../../core/inputs/common.js';
import type { Verdict } from '../../core/verdict/verdict.js';
import { listedProblems } from '../../core/support/errors.js';

/** A check run's conclusion, as the Checks API names it. */
export type CheckConclusion = 'success' | 'neutral' | 'failure' | 'action_required' | 'cancelled';

/**
 * The check's conclusion for a verdict in a mode. Only a pass is `success`; in `soft` mode a
 * failing verdict asks a human to look, in `observe` mode it is reported as `neutral`.
 */
export function checkConclusion(verdict: Verdict, mode: Mode): CheckConclusion {
  // A cancelled gate is never a pass, in any mode: branch protection treats `cancelled` as not passing.
  if (verdict.outcome === 'cancelled') return 'cancelled';
  if (verdict.decision === 'pass') return 'success';
  if (verdict.decision === 'warn') return 'neutral';
  if (mode === 'soft') return 'action_required';
  if (mode === 'observe') return 'neutral';
  return 'failure';
}

/**
 * The commit status state when checks are not allowed. Statuses know no `neutral`: a
 * warning or an observed failure is `success` (its description says what happened), a
 * failure in `soft` or `hard` mode is `failure`.
 */
export function statusState(verdict: Verdict, mode: Mode): 'success' | 'failure' {
  return verdict.decision === 'fail' && mode !== 'observe' ? 'failure' : 'success';
}

/**
 * One line for a check title or status description. GitHub shows the conclusion beside it
 * (`failure`, `success`), so a pass or fail says its decision once, there; a decision the
 * conclusion does not say (a warning, a fail that soft or observe mode let through) leads the line.
 */
export function headline(verdict: Verdict, mode: Mode): string {
  const prefix =
    verdict.decision === 'fail' && mode === 'soft'
      ? 'needs review'
      : verdict.decision === 'fail' && mode === 'observe'
        ? 'fail (observe only)'
        : verdict.decision === 'warn'
          ? 'warn'
          : undefined;
  // A title is one line: a reason that lists (input problems) is titled by its heading.
  const listed = listedProblems(verdict.reason);
  const reason = listed ? `${listed.heading.replace(/:$/, '')} (listed below)` : verdict.reason;
  return prefix ? `${prefix}: ${reason}` : reason;
}

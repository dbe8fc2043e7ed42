import * as core from '@actions/core';
import type { Mode } from '../core/inputs/common.js';
import type { Verdict } from '../core/verdict.js';

/** What the verdict does to the step: only `mode: hard` lets a failing verdict fail it. */
export function concludeStep(verdict: Verdict, mode: Mode): void {
  if (verdict.decision === 'pass') {
    core.info(`Gate passed. ${verdict.reason}`);
  } else if (verdict.decision === 'warn') {
    core.warning(`Gate passed with a warning. ${verdict.reason}`);
  } else if (mode === 'hard') {
    core.setFailed(`Gate failed. ${verdict.reason}`);
  } else if (mode === 'soft') {
    core.warning(`Gate failed, not blocking (mode: soft); a human should look. ${verdict.reason}`);
  } else {
    core.notice(`Gate failed, reported only (mode: observe). ${verdict.reason}`);
  }
}

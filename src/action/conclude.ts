import * as core from '@actions/core';
import type { Mode } from '../core/inputs/common.js';
import { printable } from '../core/support/text.js';
import type { Verdict } from '../core/verdict/verdict.js';

/** What the verdict does to the step: only `mode: hard` lets a failing verdict fail it. */
export function concludeStep(verdict: Verdict, mode: Mode): void {
  // The reason quotes the backend: `core.info` prints it as it is, where `##[…]` would be obeyed
  // and an escape sequence would rewrite the lines above it.
  const reason = printable(verdict.reason);
  if (verdict.decision === 'pass') {
    core.info(`Gate passed. ${reason}`);
  } else if (verdict.decision === 'warn') {
    core.warning(`Gate passed with a warning. ${reason}`);
  } else if (mode === 'hard') {
    core.setFailed(`Gate failed. ${reason}`);
  } else if (mode === 'soft') {
    core.warning(`Gate failed, not blocking (mode: soft); a human should look. ${reason}`);
  } else {
    core.notice(`Gate failed, reported only (mode: observe). ${reason}`);
  }
}

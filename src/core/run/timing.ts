/** After the CI's cancel signal: how long the cancelled verdict may take to report. */
export const CANCEL_REPORT_MS = 4_000;
/** After the CI's cancel signal: the last resort, before its SIGKILL (the runner's comes at 7.5 s). */
export const CANCEL_HARD_EXIT_MS = 6_000;

/** How long reporting (the check, the comment, the note) may go on after the gate's `timeout`: 5 to 10 s. */
export function reportingGraceMs(timeoutMs: number): number {
  return Math.min(10_000, Math.max(5_000, timeoutMs));
}

/**
 * How long a door may take to say which files a change touched (many gates): past it, every
 * entry runs. The step's budget counts it before the entries' own timeouts.
 */
export const CHANGED_FILES_MAX_MS = 30_000;

import { type Deadline, sleep } from './deadline.js';

/** How long the first polls stay short: evaluations that finish in seconds get a verdict at once. */
const QUICK_PHASE_MS = 3000;
const QUICK_DELAY_MS = 500;
const FIRST_SLOW_DELAY_MS = 1000;
const RAMP_STEP_MS = 500;
const LAST_POLL_MARGIN_MS = 250;

/**
 * The wait before the next poll: 0.5 s for the first 3 s, then 1 s growing by 0.5 s a poll up
 * to `maxMs` (`poll_interval`). A gentle ramp keeps runs of 3 to 30 s close to a verdict
 * without polling long runs more than every `poll_interval`. See docs/internals.md, "Polling".
 */
export function nextPollDelayMs(elapsedMs: number, previousDelayMs: number, maxMs: number): number {
  if (elapsedMs < QUICK_PHASE_MS) return Math.min(QUICK_DELAY_MS, maxMs);
  return Math.min(Math.max(previousDelayMs + RAMP_STEP_MS, FIRST_SLOW_DELAY_MS), maxMs);
}

/** Where a polled resource stands. */
export interface PollState {
  terminal: boolean;
  status: string;
  /** e.g. `12/40 items`; logged with the status. */
  progress?: string;
}

/** What to poll and how to read it. */
export interface PollOptions<T> {
  /** Named in logs and in the timeout message, e.g. `CI run 42`. */
  what: string;
  fetch: () => Promise<T>;
  /** Reads the answer; throws when it is something the gate cannot trust. */
  state: (answer: T) => PollState;
  deadline: Deadline;
  maxIntervalMs: number;
  log: (message: string) => void;
  wait?: (ms: number) => Promise<void>;
}

/** Polls until the answer is terminal, logging each change of status; one request per poll. */
export async function pollUntilTerminal<T>(options: PollOptions<T>): Promise<T> {
  const { deadline, what } = options;
  const wait = options.wait ?? sleep;
  const started = Date.now();
  let delay = 0;
  let lastLine = '';
  for (let polls = 1; ; polls++) {
    const answer = await options.fetch();
    const state = options.state(answer);
    const line = `${what}: ${state.status}${state.progress ? ` (${state.progress})` : ''}`;
    if (line !== lastLine)
      options.log(`${line} after ${((Date.now() - started) / 1000).toFixed(1)}s, poll ${polls}`);
    lastLine = line;
    if (state.terminal) return answer;
    delay = nextPollDelayMs(Date.now() - started, delay, options.maxIntervalMs);
    // The last poll goes out just before the deadline rather than not at all.
    const remaining = deadline.remainingMs() - LAST_POLL_MARGIN_MS;
    if (remaining <= 0) throw deadline.error(`waiting for ${what} (last status: ${state.status})`);
    await wait(Math.min(delay, remaining));
  }
}

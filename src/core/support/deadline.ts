import { DeadlineError } from './errors.js';

/** The one deadline that bounds the whole gate, retries and waits included. */
export class Deadline {
  readonly startedAt: number;
  private end: number;
  private controller?: AbortController;
  private timer?: NodeJS.Timeout;
  /** Deadlines made by {@link before}: each ends `reserveMs` before this one, and is shortened with it. */
  private readonly reserving: { deadline: Deadline; reserveMs: number }[] = [];

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.end = this.startedAt + timeoutMs;
  }

  /** When the deadline runs out, in `Date.now()` milliseconds. */
  get endsAt(): number {
    return this.end;
  }

  /** Brings the deadline forward to at most `ms` from now (a cancelled job has seconds, not minutes). */
  shorten(ms: number): void {
    this.end = Math.min(this.end, this.now() + ms);
    if (this.controller) this.arm();
    for (const { deadline, reserveMs } of this.reserving)
      deadline.shorten(Math.max(0, this.end - reserveMs - this.now()));
  }

  /**
   * A deadline of its own for work that must leave the last `reserveMs` of this one to what
   * follows it (GitHub's look-ups, before the check is completed): it ends `reserveMs` before
   * this one, or `atMostMs` from now if sooner, and is brought forward whenever this one is.
   */
  before(reserveMs: number, atMostMs = Number.POSITIVE_INFINITY): Deadline {
    const deadline = new Deadline(
      Math.max(0, Math.min(this.end - reserveMs - this.now(), atMostMs)),
      this.now,
    );
    this.reserving.push({ deadline, reserveMs });
    return deadline;
  }

  /** Aborts when the deadline runs out, shortened or not: for work that must stop mid-flight. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      this.arm();
    }
    return this.controller.signal;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const controller = this.controller;
    if (!controller || controller.signal.aborted) return;
    // Unref'd: a deadline is no reason for the process to stay alive.
    this.timer = setTimeout(
      () => controller.abort(new DeadlineError('the deadline ran out')),
      this.remainingMs(),
    ).unref();
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** Milliseconds since the gate started. */
  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Throws a {@link DeadlineError} that says what was being waited for once no time is left. */
  check(waitingFor: string): void {
    if (this.remainingMs() <= 0) throw this.error(waitingFor);
  }

  /** The error to end with when `waitingFor` could not finish in time. */
  error(waitingFor: string): DeadlineError {
    const seconds = Math.round(this.timeoutMs / 1000);
    return new DeadlineError(
      `No verdict within the ${seconds}s timeout while ${waitingFor}; raise \`timeout\` if the evaluation needs longer.`,
    );
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

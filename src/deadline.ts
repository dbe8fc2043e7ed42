import { DeadlineError } from './errors.js';

/** The one deadline that bounds the whole gate, retries and waits included. */
export class Deadline {
  readonly startedAt: number;
  readonly endsAt: number;

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.endsAt = this.startedAt + timeoutMs;
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

/** The signals the Actions runner sends a step it cancels: SIGINT first, SIGTERM seconds later. */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A job being cancelled, as the gate sees it. */
export interface Cancellation {
  /** Settles with the signal once the runner asks the gate to stop; never rejects. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Stops listening (a finished gate has nothing left to cancel). */
  dispose(): void;
}

/** The gate was cancelled before its verdict. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/**
 * Listens for the runner's cancel signals. Node would otherwise exit at once on SIGINT and
 * leave the required check `in_progress`; this lets the gate report a cancelled verdict
 * first. Should reporting itself hang, the process exits anyway `hardExitMs` after the first
 * signal, before the runner's SIGKILL.
 */
export function listenForCancel(
  hardExitMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): Cancellation {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      resolve(signal);
      setTimeout(() => exit(1), hardExitMs).unref();
    };
  });
  const handler = (signal: NodeJS.Signals) => onSignal(signal);
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    signalled,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}

/**
 * Where the gate logs: each front door gives the core its own (the runner's workflow commands,
 * a terminal or a CI log); the core and the backends never import `@actions/core`.
 */
export interface GateLog {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  /** Runs `work` inside a collapsible log group. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

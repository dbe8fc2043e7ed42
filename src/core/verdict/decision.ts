/** The gate's decision. `warn` passes the step with a warning. */
export type Decision = 'pass' | 'warn' | 'fail';

const SEVERITY: Record<Decision, number> = { pass: 0, warn: 1, fail: 2 };

/** The more severe of two decisions. */
export function worst(a: Decision, b: Decision): Decision {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

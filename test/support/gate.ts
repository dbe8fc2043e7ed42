import type { GateLog } from '../../src/core/backends/types.js';
import { planGate, runGate } from '../../src/core/gate.js';
import type { Verdict } from '../../src/core/verdict.js';

/** A log that keeps its lines, for assertions. */
export function memoryLog(): GateLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    debug: (m) => lines.push(`debug: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    group: async (title, work) => {
      lines.push(`group: ${title}`);
      return work();
    },
  };
}

export const TEST_ENV = {
  GITHUB_REPOSITORY: 'octo-org/agent',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_RUN_ID: '9001',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'gate',
  GITHUB_ACTION: 'reliability',
};

/** Plans and runs a gate in process with the given inputs, as `main` would without reporting. */
export async function gateWith(inputs: Record<string, string>, log = memoryLog()): Promise<Verdict> {
  const plan = await planGate(inputs, { eventName: 'push', payload: {} }, TEST_ENV);
  return runGate(plan, { log });
}

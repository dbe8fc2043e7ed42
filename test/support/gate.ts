import type { GateLog } from '../../src/core/backends/types.js';
import { planGate } from '../../src/core/gate/plan.js';
import { runGate } from '../../src/core/gate/gate.js';
import type { Verdict } from '../../src/core/verdict/verdict.js';
import { type ActionPlan, planAction } from '../../src/action/plan.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** The change a push to `octo-org/agent` gates. */
export const TEST_CHANGE = {
  repository: TEST_ENV.GITHUB_REPOSITORY,
  commitSha: TEST_ENV.GITHUB_SHA,
  gateKey: 'octo-org/agent/9001/1/gate/reliability',
};

/** Plans and runs a gate in process with the given inputs, as `main` would without reporting. */
export async function gateWith(
  inputs: Record<string, string>,
  log = memoryLog(),
): Promise<Verdict> {
  const plan = await planGate(inputs, TEST_CHANGE);
  return runGate(plan, { log });
}

/** Plans a gate as the action does, on `eventName` with `payload` written where the runner puts it. */
export async function planActionWith(
  inputs: Record<string, string>,
  eventName = 'push',
  payload: unknown = {},
  env: Record<string, string> = {},
): Promise<ActionPlan> {
  const dir = await mkdtemp(join(tmpdir(), 'gate-event-'));
  const path = join(dir, 'event.json');
  await writeFile(path, JSON.stringify(payload));
  try {
    return await planAction(inputs, {
      ...TEST_ENV,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: path,
      ...env,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Decision lag: from the backend's verdict to the action's exit, against the seeds' curl loop. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FAKE_TOKEN } from '../test/support/fake-sepurux.js';
import { runAction } from '../test/support/runner.js';
import { here, quick, record, seconds, servedFake } from './common.js';

/** Time from the backend's verdict to the action's exit, and the polls it took. */
async function actionLag(finishAfterMs: number) {
  const { fake, server, base } = await servedFake(finishAfterMs);
  try {
    const run = await runAction({
      inputs: {
        base_url: base,
        token: FAKE_TOKEN,
        trace_id: 'trace-1',
        campaign_id: fake.campaign('refund-reliability').id,
        github_token: '',
      },
    });
    if (run.outputs.decision !== 'pass')
      throw new Error(`the action did not pass: ${run.outputs.reason}`);
    const finishedAt = [...fake.runs.values()][0]!.finishesAt;
    return {
      lagMs: run.exitedAt - finishedAt,
      polls: fake.requestsTo('GET', '/v1/ci/runs/').length,
    };
  } finally {
    await server.close();
  }
}

/** The same for the seeds' curl-and-sleep-5 flow. */
async function referenceLag(finishAfterMs: number) {
  const { fake, server, base } = await servedFake(finishAfterMs);
  try {
    const child = spawn(
      'bash',
      [
        join(here, 'reference-gate.sh'),
        base,
        FAKE_TOKEN,
        fake.campaign('refund-reliability').id,
        'trace-1',
      ],
      { stdio: 'ignore' },
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const exitedAt = Date.now();
    if (code !== 0) throw new Error(`the reference script exited ${code}`);
    const finishedAt = [...fake.runs.values()][0]!.finishesAt;
    return { lagMs: exitedAt - finishedAt, polls: fake.requestsTo('GET', '/v1/ci/runs/').length };
  } finally {
    await server.close();
  }
}

export async function decisionLag() {
  // 7.5 s and 32.5 s fall between the reference's 5 s polls; the others are the cases.
  const finishes = quick ? [0, 300] : [0, 2_500, 7_500, 20_000, 32_500, 60_000];
  // Every case, action and reference alike, runs at once: they mostly wait, and the whole
  // benchmark stays within two minutes.
  const results = await Promise.all(
    finishes.map(async (ms) => {
      const [action, reference] = await Promise.all([actionLag(ms), referenceLag(ms)]);
      return { ms, action, reference };
    }),
  );
  for (const { ms, action, reference } of results) {
    const ratio = ` (reference ÷ action: ${(reference.lagMs / Math.max(action.lagMs, 1)).toFixed(1)})`;
    const target =
      ms === 2_500
        ? { target: 'lag ≤ 0.5 s, ≤ 10 polls', met: action.lagMs <= 500 && action.polls <= 10 }
        : ms === 60_000
          ? {
              target: `lag ≤ 5 s, polls ≤ reference + 10 = ${reference.polls + 10}`,
              met: action.lagMs <= 5_000 && action.polls <= reference.polls + 10,
            }
          : {};
    record({
      measure: `decision lag, run finishing after ${ms / 1000} s: action vs reference`,
      value: `${seconds(action.lagMs)} vs ${seconds(reference.lagMs)}${ratio}`,
      ...target,
    });
    record({
      measure: `polls, run finishing after ${ms / 1000} s: action vs reference`,
      value: `${action.polls} vs ${reference.polls}`,
    });
  }
}

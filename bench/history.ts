import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { runAction } from '../test/support/runner.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { encodeRecord } from '../src/core/baseline/encode.js';
import { median, quick, record, seconds } from './common.js';

/**
 * What `history: 10` costs a pull request's gate: the GitHub requests it adds (one for the base
 * branch's commits, one per commit), and the whole gate beside `history: 0`, on a base branch
 * whose last 10 commits each hold a verdict.
 */
export async function historyCost() {
  const fake = new FakeSepurux();
  const github = new FakeGitHub({ validate: false });
  const payload = webhookExample('pull_request', 'opened') as {
    pull_request: { base: { sha: string } };
  };
  const line = [
    payload.pull_request.base.sha,
    ...Array.from({ length: 10 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
  ];
  const campaign = fake.campaign('refund-reliability');
  line.forEach((sha, i) => {
    github.seedCommit(sha, line[i + 1] ? [line[i + 1]!] : []);
    const verdict = {
      evaluated: { campaign: campaign.id },
      decision: 'pass' as const,
      reason: '',
      outcome: 'evaluated' as const,
      backend: 'Sepurux',
      ids: {},
      figures: { pass_rate: 0.9 },
      thresholds: [],
      topFailingTools: [],
      durationMs: 1,
    };
    github.seedCheckRun({
      name: 'Sepurux Reliability Gate',
      head_sha: sha,
      status: 'completed',
      conclusion: 'success',
      completed_at: new Date().toISOString(),
      output: { text: encodeRecord(verdict, 'Sepurux Reliability Gate', sha) },
    });
  });
  const [backend, api] = await Promise.all([
    serveHandlers(() => fake.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
  const runs = quick ? 1 : 7;
  const times: Record<string, number[]> = { '0': [], '10': [] };
  let added = { commits: 0, checks: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      for (const history of ['0', '10']) {
        const before = github.requests.length;
        const run = await runAction({
          inputs: {
            base_url: `${backend.origin}/api`,
            token: FAKE_TOKEN,
            project_id: FAKE_PROJECT_ID,
            trace_id: 'trace-1',
            campaign_name: 'refund-reliability',
            history,
          },
          eventName: 'pull_request',
          payload,
          github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
        });
        if (run.exitCode !== 0) throw new Error(`the gate failed: ${run.outputs.reason}`);
        times[history]!.push(run.durationMs);
        const made = github.requests.slice(before);
        if (history === '10')
          added = {
            commits: made.filter((r) => r.path.includes('/commits?')).length,
            checks: made.filter((r) => r.path.includes('/check-runs?')).length - 1,
          };
      }
    }
  } finally {
    await Promise.all([backend.close(), api.close()]);
  }
  record({
    measure: 'history: 10, GitHub requests it adds (commits + check runs)',
    value: `${added.commits} + ${added.checks}, 4 at a time`,
    target: '≤ history + 1',
    met: added.commits + added.checks <= 11,
  });
  record({
    measure: 'history: 10 vs history: 0, whole gate',
    value: `${seconds(median(times['10']!))} vs ${seconds(median(times['0']!))}`,
  });
}

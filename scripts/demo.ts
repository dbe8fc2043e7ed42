/**
 * `npm run demo`: a local Sepurux-compatible backend, a TruLayer one and a fake GitHub on
 * 127.0.0.1, and the bundled action run against them exactly as the Actions runner would, on
 * the sample traces in examples/traces/. It shows what a reviewer sees on each pull request:
 * the required check (one line: its summary is the comment's text) and the sticky comment,
 * rendered for a terminal, with the step's key outputs. The pull requests are compared with
 * their base commit, whose verdict a push to main left on GitHub first. No account, no
 * network. `npm run demo -- --logs` also prints the action's own log. Nothing is left behind.
 */
import {
  binomialOutcome,
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
  seededRandom,
} from '../test/support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../test/support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { renderForTerminal } from '../test/support/render.js';
import { wrap } from '../src/cli/help.js';
import { runAction } from '../test/support/runner.js';
import { removeScratchDirs } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { encodeRecord } from '../src/core/baseline/encode.js';

const showLogs = process.argv.includes('--logs');
const color = process.stdout.isTTY === true;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const indent = (text: string, by = '   ') =>
  text
    .split('\n')
    .map((line) => (line ? by + line : by.trimEnd()))
    .join('\n');
/** The demo keeps within 100 columns: a paragraph of its own is wrapped there (a URL longer than that stands alone). */
const say = (text: string, by = '') => console.log(wrap(text, by));

// What Sepurux recorded about the failing run: the "why" a reviewer reads first.
const EVENTS = {
  policy: [
    {
      type: 'policy_violation',
      action: 'blocked',
      policy: 'refund-limit',
      tool: 'payments.refund',
      attempt: 2,
      reason: 'Refund of 4200 exceeds the 500 limit',
    },
    {
      type: 'policy_violation',
      action: 'blocked',
      policy: 'refund-limit',
      tool: 'payments.refund',
      attempt: 4,
      reason: 'Refund of 9000 exceeds the 500 limit',
    },
  ],
  security: [
    {
      type: 'prompt_injection',
      action: 'flagged',
      policy: 'untrusted-content',
      tool: 'web.fetch',
      severity: 'high',
      reason: 'tool output asked to ignore previous instructions',
    },
  ],
};
const sepurux = new FakeSepurux({ events: (_run, source) => ({ body: EVENTS[source] }) });
sepurux.campaign('refund-reliability').finishAfterMs = 1_500;
sepurux.campaign('checkout-regression').finishAfterMs = 1_000;
// A noisy agent: each run draws 20 attempts at 90%, and Sepurux decides from the thresholds sent.
const noisy = {
  ...sepurux.campaign('refund-reliability'),
  id: '5b1c6a3f-0d7e-4e8a-9b2d-1c4f5e6a7b8c',
  name: 'refund-noisy',
  finishAfterMs: 1_000,
  draw: binomialOutcome(0.9, 20, seededRandom(3)),
  decidesFromThresholds: true,
};
sepurux.campaigns.push(noisy);
const trulayer = new FakeTruLayer({ finishAfterMs: 1_000 });
const github = new FakeGitHub();
// The base branch's last ten commits, each judged by the gate on its push: orders.lookup has failed
// there now and then (a known flake), payments.refund never has.
const baseLine = [
  (webhookExample('pull_request', 'opened') as { pull_request: { base: { sha: string } } })
    .pull_request.base.sha,
  ...Array.from({ length: 9 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
];
baseLine.forEach((sha, i) => {
  github.seedCommit(sha, baseLine[i + 1] ? [baseLine[i + 1]!] : []);
  if (i === 0) return; // the base commit's verdict comes from the push below
  const refund = sepurux.campaign('refund-reliability');
  const failing = i % 3 === 0 ? ['orders.lookup'] : [];
  const at = new Date(Date.now() - i * 86_400_000);
  const verdict = {
    evaluated: { campaign: refund.id },
    decision: 'pass' as const,
    reason: '',
    outcome: 'evaluated' as const,
    backend: 'Sepurux',
    ids: {},
    figures: { pass_rate: 0.9 + (i % 3) * 0.01 },
    thresholds: [],
    topFailingTools: failing.map((tool) => ({ tool, count: 1 })),
    durationMs: 1,
  };
  github.seedCheckRun({
    name: 'Sepurux Reliability Gate',
    head_sha: sha,
    status: 'completed',
    conclusion: 'success',
    completed_at: at.toISOString(),
    output: { text: encodeRecord(verdict, 'Sepurux Reliability Gate', sha, at) },
  });
});
const [backend, tl, api] = await Promise.all([
  serveHandlers(() => sepurux.handlers()),
  serveHandlers(() => trulayer.handlers()),
  serveHandlers(() => github.handlers()),
]);
const sepuruxInputs = {
  base_url: `${backend.origin}/api/backend`,
  token: FAKE_TOKEN,
  project_id: FAKE_PROJECT_ID,
};
// The job's GitHub: action.yml's `github_token` default (`${{ github.token }}`) is its token, as on a runner.
const jobGitHub = { origin: api.origin, token: FAKE_GITHUB_TOKEN };
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};

const scenarios: { title: string; inputs: Record<string, string>; setup?: () => void }[] = [
  {
    title: 'A pull request that passes, compared with its base',
    inputs: {
      ...sepuruxInputs,
      trace_file: 'examples/traces/refund_flow.json',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      max_pass_rate_drop: '0.05',
    },
  },
  {
    title:
      'A pull request that regresses: it fails, says why, what newly fails, and which failures main already had',
    inputs: {
      ...sepuruxInputs,
      trace_file: 'examples/traces/checkout_flow.json',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      max_pass_rate_drop: '0.05',
    },
    // The same campaign as the base commit's (a verdict of another one would not be comparable), now failing.
    setup: () =>
      Object.assign(sepurux.campaign('refund-reliability'), {
        outcome: sepurux.campaign('checkout-regression').outcome,
      }),
  },
  {
    title: 'A noisy agent, judged on five repeats pooled',
    inputs: {
      ...sepuruxInputs,
      trace_id: 'trace-1',
      campaign_name: 'refund-noisy',
      min_pass_rate: '0.85',
      repeats: '5',
      baseline: 'off',
    },
  },
  {
    title: 'TruLayer: an eval run against a score floor',
    inputs: {
      backend: 'trulayer',
      base_url: tl.origin,
      token: FAKE_TRULAYER_TOKEN,
      dataset_id: DATASET_ID,
      eval_version_id: EVAL_VERSION_ID,
      score_floor: '0.8',
      check_name: 'TruLayer Eval Gate',
    },
  },
];
const KEY_OUTPUTS = [
  'decision',
  'reason',
  'pass_rate',
  'mean_score',
  'repeats_run',
  'repeats_passed',
  'baseline_sha',
  'baseline_decision',
  'dashboard_url',
];

say(
  `Fake Sepurux on ${backend.origin}, fake TruLayer on ${tl.origin}, fake GitHub on ${api.origin}; running dist/index.js as the Actions runner does (every action.yml default, then the step's with:).`,
);
console.log('');
try {
  // The base commit's verdict: a push to main leaves it on its check, where pull requests read it back.
  const base = await runAction({
    inputs: {
      ...sepuruxInputs,
      trace_file: 'examples/traces/refund_flow.json',
      campaign_name: 'refund-reliability',
    },
    eventName: 'push',
    payload: { ...webhookExample('push'), after: payload.pull_request.base.sha },
    github: jobGitHub,
  });
  console.log(
    bold(`━━ main at ${payload.pull_request.base.sha.slice(0, 7)}: ${base.outputs.decision}`),
  );
  say('(a push: its check carries the verdict pull requests compare with)', '   ');
  console.log('');
  removeScratchDirs();
  for (const { title, inputs, setup } of scenarios) {
    setup?.();
    const before = { checks: github.checkRuns.length };
    console.log(bold(wrap(`━━ ${title}`, '').replace(/\n/g, '\n   ')));
    console.log(
      indent(
        Object.entries(inputs)
          .filter(([k]) => !['base_url', 'token', 'project_id'].includes(k))
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      ),
    );
    const run = await runAction({ inputs, eventName: 'pull_request', payload, github: jobGitHub });
    try {
      console.log(
        `\n   step exit code ${run.exitCode} · ${(run.durationMs / 1000).toFixed(2)}s from start to exit`,
      );
      if (showLogs)
        console.log(`\n${bold("   The action's log")}\n${indent(run.stdout.trimEnd(), '   │ ')}`);
      const check = github.checkRuns.slice(before.checks).at(-1);
      if (check) {
        console.log(
          `\n${bold(`   ${check.conclusion === 'success' ? '✔' : check.conclusion === 'neutral' ? '●' : '✖'} Check "${check.name}": ${check.conclusion}`)}`,
        );
        say('(the one to mark required; its summary is the comment below)', '     ');
      }
      const comment = github.comments
        .get(payload.pull_request.number)
        ?.find((c) => c.body.includes(inputs.check_name ?? 'Sepurux Reliability Gate'));
      if (comment) {
        console.log(
          `\n${bold(`   💬 Sticky comment on pull request #${payload.pull_request.number}`)} (by ${comment.user.login}, edited in place by the next run)`,
        );
        console.log(indent(renderForTerminal(comment.body, color), '   │ '));
      }
      console.log(`\n${bold('   Outputs')} (all of them in action.yml)`);
      for (const k of KEY_OUTPUTS.filter((name) => run.outputs[name]))
        say(`${k} = ${run.outputs[k]}`, '     ');
      console.log('');
    } finally {
      removeScratchDirs();
    }
  }
} finally {
  await Promise.all([backend.close(), tl.close(), api.close()]);
}

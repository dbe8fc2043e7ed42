/**
 * The world `npm run demo` and `npm run screenshot` both show: a fake Sepurux, TruLayer and
 * GitHub on 127.0.0.1, a base branch of ten commits the gate judged on their pushes, and the
 * pull requests a reviewer meets (one that passes, one that regresses, a noisy agent on
 * repeats, a TruLayer eval, a promptfoo suite that regresses, a Braintrust experiment that
 * regresses, a repository of three agents). Each pull request runs the bundled action as the runner starts it
 * (`test/support/runner.ts`: every action.yml default, then the step's `with:`).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
import { FAKE_GITHUB_TOKEN, type FakeComment, FakeGitHub } from '../test/support/fake-github.js';
import { type ActionRun, REPOSITORY_ROOT, runAction } from '../test/support/runner.js';
import { removeScratchDirs, scratchDir } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { promptfooWorkspace } from '../test/support/promptfoo.js';
import {
  EXPERIMENT_NAME,
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  PROJECT_NAME,
  rowsOf,
} from '../test/support/fake-braintrust.js';
import { encodeRecord } from '../src/core/baseline/encode.js';
import { GATES_CHECK_NAME } from '../src/core/run/plan.js';

/** A pull request of the demo: the step's `with:`, and what changes in the backend before it. */
export interface Scenario {
  /** What it shows, as the demo's heading. */
  title: string;
  inputs: Record<string, string>;
  setup?: () => void;
  /** The picture `npm run screenshot` makes of its comment, under docs/. */
  picture?: string;
  /** Then a maintainer accepts the failing verdict with `/gate accept` and this reason. */
  acceptWith?: string;
  /**
   * A repository of several agents (`config:`): the workspace the step runs in, the files the
   * pull request changes, and the check both the push to main and the pull request leave.
   */
  repository?: { workspace: () => string; changedFiles: string[]; checkName: string };
  /**
   * An evaluation the workflow's own step ran (promptfoo's results file): a push to main ran the
   * same step first in `main`'s workspace, then the pull request runs in its own.
   */
  evaluated?: { main: () => string; pullRequest: () => string; checkName: string };
}

/** The maintainer who accepts a verdict in the demo. */
export const MAINTAINER = 'octo-maintainer';

/** What a reviewer meets after one pull request's run: the step, its check run and its sticky comment. */
export interface Seen {
  run: ActionRun;
  check?: FakeGitHub['checkRuns'][number];
  comment?: FakeComment;
}

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

/** Starts the fakes, seeds the base branch, and returns the pull requests to run and how to run them. */
export async function openDemoWorld() {
  const sepurux = new FakeSepurux({ events: (_run, source) => ({ body: EVENTS[source] }) });
  sepurux.campaign('refund-reliability').finishAfterMs = 1_500;
  sepurux.campaign('checkout-regression').finishAfterMs = 1_000;
  // A noisy agent: each run draws 20 attempts at 90%, and Sepurux decides from the thresholds sent.
  sepurux.campaigns.push({
    ...sepurux.campaign('refund-reliability'),
    id: '5b1c6a3f-0d7e-4e8a-9b2d-1c4f5e6a7b8c',
    name: 'refund-noisy',
    finishAfterMs: 1_000,
    draw: binomialOutcome(0.9, 20, seededRandom(3)),
    decidesFromThresholds: true,
  });
  // The repository of three agents (examples/reliability-gates.yml): billing's change regresses it.
  for (const [agent, like] of [
    ['support', 'refund-reliability'],
    ['billing', 'refund-reliability'],
    ['refunds', 'refund-reliability'],
  ] as const)
    sepurux.campaigns.push({
      ...sepurux.campaign(like),
      id: crypto.randomUUID(),
      name: `${agent}-reliability`,
      finishAfterMs: 1_000,
    });
  const trulayer = new FakeTruLayer({ finishAfterMs: 1_000 });
  const github = new FakeGitHub();
  const payload = webhookExample('pull_request', 'opened') as {
    pull_request: { number: number; base: { sha: string } };
  };
  seedBaseBranch(github, sepurux, payload.pull_request.base.sha);
  // Braintrust: main's experiment passes; the pull request's fails three dataset records main passed.
  let braintrust = new FakeBraintrust();
  const experimentWith = (failing: number) => {
    braintrust = new FakeBraintrust({ experiments: [experimentOf(rowsOf(10, failing))] });
    return scratchDir('demo-braintrust');
  };
  const [backend, tl, api, bt] = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
    serveHandlers(() => github.handlers()),
    serveHandlers(() => braintrust.handlers()),
  ]);
  const sepuruxInputs = {
    base_url: `${backend.origin}/api/backend`,
    token: FAKE_TOKEN,
    project_id: FAKE_PROJECT_ID,
  };
  // The job's GitHub: action.yml's `github_token` default (`${{ github.token }}`) is its token, as on a runner.
  const jobGitHub = { origin: api.origin, token: FAKE_GITHUB_TOKEN };

  const scenarios: Scenario[] = [
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
      picture: 'pr-comment.png',
      acceptWith:
        'The refund-limit regression is known (INC-42): the new limit ships with the next release, and checkout is unaffected.',
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
      picture: 'pr-comment-repeats.png',
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
    {
      title:
        "promptfoo: the results file the workflow's own `promptfoo eval` wrote, a suite that regressed against main's passing verdict",
      inputs: {
        backend: 'promptfoo',
        results_file: 'results.json',
        min_pass_rate: '0.9',
        max_pass_rate_drop: '0.05',
      },
      // Both files are the real promptfoo's: one suite run against two releases of the agent.
      evaluated: {
        main: () => promptfooWorkspace({ 'results.json': 'pass' }),
        pullRequest: () => promptfooWorkspace({ 'results.json': 'regressed' }),
        checkName: 'promptfoo Gate',
      },
    },
    {
      title:
        "Braintrust: the experiment the workflow's own `braintrust eval` logged, three records failing that main's passed",
      inputs: {
        backend: 'braintrust',
        base_url: bt.origin,
        token: FAKE_BRAINTRUST_TOKEN,
        project_name: PROJECT_NAME,
        experiment_name: EXPERIMENT_NAME,
        score_name: 'Factuality',
        min_pass_rate: '0.9',
        max_pass_rate_drop: '0.05',
      },
      evaluated: {
        main: () => experimentWith(0),
        pullRequest: () => experimentWith(3),
        checkName: 'Braintrust Gate',
      },
    },
    {
      title:
        'A repository of three agents, one step (config:): the pull request changes billing and refunds, so only those two run',
      inputs: { ...sepuruxInputs, config: '.github/reliability-gates.yml' },
      repository: {
        workspace: agentsRepository,
        changedFiles: [
          'agents/billing/handler.ts',
          'agents/billing/README.md',
          'agents/refunds/prompt.md',
          'docs/setup.md',
        ],
        checkName: GATES_CHECK_NAME,
      },
      // Main's verdict of each entry is on the base commit; then billing's change makes it fail.
      setup: () =>
        Object.assign(sepurux.campaign('billing-reliability'), {
          outcome: sepurux.campaign('checkout-regression').outcome,
        }),
      picture: 'pr-comment-gates.png',
    },
  ];

  return {
    origins: {
      sepurux: backend.origin,
      trulayer: tl.origin,
      braintrust: bt.origin,
      github: api.origin,
    },
    payload,
    scenarios,
    /** The base commit's verdict: a push to main leaves it on its check, where pull requests read it back. */
    async pushMain(): Promise<ActionRun> {
      try {
        return await runAction({
          inputs: {
            ...sepuruxInputs,
            trace_file: 'examples/traces/refund_flow.json',
            campaign_name: 'refund-reliability',
          },
          eventName: 'push',
          payload: { ...webhookExample('push'), after: payload.pull_request.base.sha },
          github: jobGitHub,
        });
      } finally {
        removeScratchDirs();
      }
    },
    /** Runs one pull request's step, and reads back what it left on GitHub. */
    async runPullRequest(scenario: Scenario): Promise<Seen> {
      const { repository, evaluated } = scenario;
      try {
        if (evaluated)
          // A push to main ran the same step first: main's verdict of the suite is on the base commit.
          await runAction({
            inputs: scenario.inputs,
            eventName: 'push',
            payload: { ...webhookExample('push'), after: payload.pull_request.base.sha },
            github: jobGitHub,
            cwd: evaluated.main(),
          });
        const cwd = repository?.workspace() ?? evaluated?.pullRequest();
        if (repository) {
          // A push to main ran the same step first: every entry's verdict is on the base commit.
          await runAction({
            inputs: scenario.inputs,
            eventName: 'push',
            payload: { ...webhookExample('push'), after: payload.pull_request.base.sha },
            github: jobGitHub,
            ...(cwd ? { cwd } : {}),
          });
          github.seedPullFiles(payload.pull_request.number, repository.changedFiles);
        }
        scenario.setup?.();
        const before = github.checkRuns.length;
        const run = await runAction({
          inputs: scenario.inputs,
          eventName: 'pull_request',
          payload,
          github: jobGitHub,
          ...(cwd ? { cwd } : {}),
        });
        const check = github.checkRuns.slice(before).at(-1);
        const checkName =
          repository?.checkName ??
          evaluated?.checkName ??
          scenario.inputs.check_name ??
          'Sepurux Reliability Gate';
        const comment = github.comments
          .get(payload.pull_request.number)
          ?.find((c) => c.body.includes(checkName));
        return { run, ...(check ? { check } : {}), ...(comment ? { comment } : {}) };
      } finally {
        removeScratchDirs();
      }
    },
    /**
     * A maintainer's `/gate accept` on the pull request, as the accept workflow's step runs on
     * its `issue_comment` event; returns what it left: the new check and the sticky comment.
     */
    async accept(reason: string): Promise<Seen> {
      github.seedRole(MAINTAINER, 'maintain');
      const number = payload.pull_request.number;
      github.seedPullRequest(
        number,
        (payload.pull_request as unknown as { head: { sha: string } }).head.sha,
      );
      const body = `/gate accept\n${reason}`;
      const seeded = github.seedComment(number, body, { login: MAINTAINER, type: 'User' });
      const event = webhookExample('issue_comment', 'created') as {
        issue: Record<string, unknown>;
        comment: Record<string, unknown> & { user: Record<string, unknown> };
      };
      event.issue = { ...event.issue, number, pull_request: { url: 'https://api.github.com' } };
      event.comment = {
        ...event.comment,
        id: seeded.id,
        body,
        html_url: `https://github.com/Codertocat/Hello-World/pull/${number}#issuecomment-${seeded.id}`,
        user: { ...event.comment.user, login: MAINTAINER, type: 'User' },
      };
      try {
        const run = await runAction({
          inputs: {},
          eventName: 'issue_comment',
          payload: event,
          github: jobGitHub,
        });
        const check = github.checkRuns.at(-1);
        const comment = github.comments
          .get(number)
          ?.find((c) => c.body.includes('Sepurux Reliability Gate: '));
        return { run, ...(check ? { check } : {}), ...(comment ? { comment } : {}) };
      } finally {
        removeScratchDirs();
      }
    },
    async close(): Promise<void> {
      await Promise.all([backend.close(), tl.close(), bt.close(), api.close()]);
    },
  };
}

/**
 * The repository of three agents as actions/checkout leaves it: examples/reliability-gates.yml
 * at .github/, and the traces the user's own step recorded (the sample traces here).
 */
function agentsRepository(): string {
  const dir = scratchDir('demo-agents');
  mkdirSync(join(dir, '.github'));
  mkdirSync(join(dir, 'traces'));
  const example = (path: string) => join(REPOSITORY_ROOT, 'examples', path);
  copyFileSync(example('reliability-gates.yml'), join(dir, '.github/reliability-gates.yml'));
  for (const agent of ['support', 'billing', 'refunds'])
    copyFileSync(example('traces/refund_flow.json'), join(dir, `traces/${agent}.json`));
  return dir;
}

/**
 * The base branch's last ten commits, each judged by the gate on its push: orders.lookup has
 * failed there now and then (a known flake), payments.refund never has. The base commit's own
 * verdict comes from the demo's push.
 */
function seedBaseBranch(github: FakeGitHub, sepurux: FakeSepurux, baseSha: string): void {
  const baseLine = [
    baseSha,
    ...Array.from({ length: 9 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
  ];
  baseLine.forEach((sha, i) => {
    github.seedCommit(sha, baseLine[i + 1] ? [baseLine[i + 1]!] : []);
    if (i === 0) return;
    const failing = i % 3 === 0 ? ['orders.lookup'] : [];
    const at = new Date(Date.now() - i * 86_400_000);
    const verdict = {
      evaluated: { campaign: sepurux.campaign('refund-reliability').id },
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
}

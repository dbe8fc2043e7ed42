/**
 * The world `npm run demo` and `npm run screenshot` both show: a fake Sepurux, TruLayer and
 * GitHub on 127.0.0.1, a base branch of ten commits the gate judged on their pushes, and the
 * pull requests a reviewer meets (one that passes, one that regresses, a noisy agent on
 * repeats, a TruLayer eval, a promptfoo suite and a Braintrust experiment that regress, a
 * repository of three agents:
 * scripts/demo-scenarios.ts; the base branch: scripts/demo-base-branch.ts). Each pull request
 * runs the bundled action as the runner starts it (`test/support/runner.ts`: every action.yml
 * default, then the step's `with:`).
 */
import {
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
  WORLD_EVENTS,
} from '../test/support/fake-sepurux.js';
import { FakeTruLayer } from '../test/support/fake-trulayer.js';
import { FAKE_GITHUB_TOKEN, type FakeComment, FakeGitHub } from '../test/support/fake-github.js';
import { type ActionRun, runAction } from '../test/support/runner.js';
import { removeScratchDirs } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { experimentOf, FakeBraintrust, rowsOf } from '../test/support/fake-braintrust.js';
import { scratchDir } from '../test/support/scratch.js';
import { seedBaseBranch } from './demo-base-branch.js';
import { demoScenarios, type Scenario } from './demo-scenarios.js';

/** The maintainer who accepts a verdict in the demo. */
export const MAINTAINER = 'octo-maintainer';

/** What a reviewer meets after one pull request's run: the step, its check run and its sticky comment. */
export interface Seen {
  run: ActionRun;
  check?: FakeGitHub['checkRuns'][number];
  comment?: FakeComment;
}

/** Starts the fakes, seeds the base branch, and returns the pull requests to run and how to run them. */
export async function openDemoWorld() {
  // The fake's own world (its campaigns, the regressing trace), the regression's events for every failing run.
  const sepurux = new FakeSepurux({ events: (_run, source) => ({ body: WORLD_EVENTS[source] }) });
  sepurux.campaign('refund-reliability').finishAfterMs = 1_500;
  // The noisy agent (refund-noisy) and the repository of three agents (examples/reliability-gates.yml).
  for (const name of [
    'checkout-regression',
    'refund-noisy',
    'support-reliability',
    'billing-reliability',
    'refunds-reliability',
  ])
    sepurux.campaign(name).finishAfterMs = 1_000;
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

  const scenarios = demoScenarios({
    sepurux,
    sepuruxInputs,
    trulayerOrigin: tl.origin,
    braintrust: { origin: bt.origin, experimentWith },
  });

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

/**
 * The pull requests `npm run demo` and `npm run screenshot` show, each as its step's `with:` and
 * what changes in the fake backend before it runs: one that passes, one that regresses, a noisy
 * agent on repeats, a TruLayer eval, a promptfoo suite and a Braintrust experiment that regress,
 * a repository of three agents (scripts/demo-world.ts runs them).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeSepurux } from '../test/support/fake-sepurux.js';
import { DATASET_ID, EVAL_VERSION_ID, FAKE_TRULAYER_TOKEN } from '../test/support/fake-trulayer.js';
import { promptfooWorkspace } from '../test/support/promptfoo.js';
import {
  EXPERIMENT_NAME,
  FAKE_BRAINTRUST_TOKEN,
  PROJECT_NAME,
} from '../test/support/fake-braintrust.js';
import { REPOSITORY_ROOT } from '../test/support/runner.js';
import { scratchDir } from '../test/support/scratch.js';
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

/** Where the demo's pull requests reach the fakes: the Sepurux inputs every Sepurux step gives, and TruLayer's origin. */
export interface DemoBackends {
  sepurux: FakeSepurux;
  sepuruxInputs: Record<string, string>;
  trulayerOrigin: string;
  /** The fake Braintrust's origin, and a way to log an experiment of ten records with `failing` of them failing (it returns the step's workspace). */
  braintrust: { origin: string; experimentWith: (failing: number) => string };
}

/** The demo's pull requests, in the order it shows them. */
export function demoScenarios({
  sepurux,
  sepuruxInputs,
  trulayerOrigin,
  braintrust,
}: DemoBackends): Scenario[] {
  return [
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
      // The same campaign as the base commit's (a verdict of another one would not be comparable): the regressing trace fails on it.
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
        base_url: trulayerOrigin,
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
        base_url: braintrust.origin,
        token: FAKE_BRAINTRUST_TOKEN,
        project_name: PROJECT_NAME,
        experiment_name: EXPERIMENT_NAME,
        score_name: 'Factuality',
        min_pass_rate: '0.9',
        max_pass_rate_drop: '0.05',
      },
      evaluated: {
        main: () => braintrust.experimentWith(0),
        pullRequest: () => braintrust.experimentWith(3),
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

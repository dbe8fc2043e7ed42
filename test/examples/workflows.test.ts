import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  BASELINE_RUN_ID,
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { promptfooStandIn } from '../support/promptfoo-stand-in.js';
import { braintrustStandIn } from '../support/braintrust-stand-in.js';
import { FAKE_BRAINTRUST_TOKEN, FakeBraintrust } from '../support/fake-braintrust.js';
import { REPOSITORY_ROOT, runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { eventFor, workflowRunOf } from '../support/example-events.js';
import { readmeWorkflows } from '../support/readme-workflows.js';
import {
  type ArtifactStore,
  isGateStep,
  parseWorkflow,
  runWorkflow,
  type StepRecord,
  triggers,
  type Workflow,
  type WorkflowEvent,
  type WorkflowWorld,
} from '../support/workflow.js';

/**
 * The examples are tests: every workflow in examples/workflows/ and every README block that
 * uses this action runs, for each event it triggers on, through the runner's way of starting
 * the action (test/support/workflow.ts says how its secrets and expressions map to the fakes),
 * and each gate step must reach a passing, completed check. A workflow's `npx --yes
 * promptfoo@0.123.1 eval ... -o FILE` is answered by the promptfoo stand-in
 * (test/support/promptfoo-stand-in.ts): it writes the results file the real promptfoo wrote for
 * the support suite, all passing; OPENAI_API_KEY, the key promptfoo's provider would read, is a
 * fake value nothing reads.
 */

const examplesDir = join(REPOSITORY_ROOT, 'examples/workflows');
const exampleFiles = readdirSync(examplesDir).filter((f) => /\.ya?ml$/.test(f));

let servers: ServedHandlers[] = [];
const github = new FakeGitHub();
const sepurux = new FakeSepurux();
const trulayer = new FakeTruLayer();
const promptfoo = promptfooStandIn('pass');
const braintrust = new FakeBraintrust({ experiments: [] });
// `npx braintrust eval` logs its experiment in the fake Braintrust, served at servers[3].
const braintrustEval = braintrustStandIn(() => servers[3]!.origin);

beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
    serveHandlers(() => github.handlers()),
    serveHandlers(() => braintrust.handlers()),
  ]);
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

/**
 * What a user's repository holds, as `actions/checkout` brings it: the many-gates config where
 * the example repository of three agents keeps it, and promptfoo's suite at the root, where
 * promptfoo looks. Nothing else of this repository: an example must work as pasted.
 */
const USER_REPOSITORY: Record<string, string> = {
  '.github/reliability-gates.yml': 'examples/reliability-gates.yml',
  'promptfooconfig.yaml': 'examples/promptfoo/promptfooconfig.yaml',
  'evals/support.eval.js': 'examples/braintrust/support.eval.js',
};

/** The examples' secrets and variables, as the fakes hold them, in a repository holding `checkout`. */
const world = (checkout = USER_REPOSITORY): WorkflowWorld => ({
  checkout,
  secrets: {
    SEPURUX_API_KEY: FAKE_TOKEN,
    SEPURUX_CI_TOKEN: FAKE_TOKEN,
    SEPURUX_PROJECT_ID: FAKE_PROJECT_ID,
    TRULAYER_API_KEY: FAKE_TRULAYER_TOKEN,
    OPENAI_API_KEY: 'sk-fake-openai-key-read-by-nothing',
    BRAINTRUST_API_KEY: FAKE_BRAINTRUST_TOKEN,
  },
  vars: {
    SEPURUX_CAMPAIGN_ID: sepurux.campaign('scenario-pool').id,
    TRULAYER_DATASET_ID: DATASET_ID,
    TRULAYER_EVAL_VERSION_ID: EVAL_VERSION_ID,
    TRULAYER_BASELINE_RUN_ID: BASELINE_RUN_ID,
    // Not set in the repository: the example's own fallback decides.
    RELIABILITY_GATE_MODE: '',
  },
  // The README's "ids you already have": a trace the user's own step uploaded.
  outsideSteps: { record: { trace_id: 'trace-recorded-earlier' } },
  github: { origin: servers[2]!.origin, token: github.token },
  baseUrl: (backend) =>
    backend === 'trulayer'
      ? servers[1]!.origin
      : backend === 'braintrust'
        ? servers[3]!.origin
        : `${servers[0]!.origin}/api/backend`,
  bin: [braintrustEval.bin, promptfoo.bin],
});

/**
 * A `workflow_run` example runs after the workflows it names, with their artifacts: first, when
 * they run on `push` too, after their push to main (the pull request's base commit), whose
 * workflow_run is a base-branch run leaving main's verdict; then after their `pull_request`.
 * `baseSha` is the base commit main's run left its verdict on, when it ran.
 */
async function runTriggered(
  workflow: Workflow,
  checkout = USER_REPOSITORY,
): Promise<{ records: StepRecord[]; headSha: string; baseSha?: string }> {
  const named = (
    (workflow.on as { workflow_run?: { workflows?: string[] } }).workflow_run?.workflows ?? []
  ).map((name) => {
    const file = exampleFiles.find(
      (f) => parseWorkflow(readFileSync(join(examplesDir, f), 'utf8')).name === name,
    );
    if (!file) throw new Error(`workflow_run names "${name}", which no example is`);
    return parseWorkflow(readFileSync(join(examplesDir, file), 'utf8'));
  });
  const pullRequest = eventFor('pull_request', github);
  const upstream = async (event: WorkflowEvent, artifacts: ArtifactStore) => {
    for (const workflowNamed of named.filter((w) => triggers(w).includes(event.name)))
      expect(
        (await runWorkflow(workflowNamed, event, world(checkout), artifacts)).filter(
          (r) => r.outcome === 'failure',
        ),
      ).toEqual([]);
  };
  const baseSha = named.some((w) => triggers(w).includes('push')) ? pullRequest.baseSha : undefined;
  if (baseSha) {
    const push = eventFor('push', github);
    push.payload.after = baseSha;
    const artifacts: ArtifactStore = new Map();
    await upstream(push, artifacts);
    const onMain = await runWorkflow(
      workflow,
      workflowRunOf('push', baseSha, []),
      world(checkout),
      artifacts,
    );
    expect(onMain.filter((r) => r.outcome === 'failure')).toEqual([]);
    const gates = onMain.filter((r) => r.gate);
    expect(gates.length).toBeGreaterThan(0);
    // A base-branch run: compared with nothing, its passing check on main's commit is the record.
    for (const { gate } of gates) {
      expect(gate!.outputs).toMatchObject({ decision: 'pass', baseline_sha: '' });
      expect(github.checkRuns.filter((c) => c.head_sha === baseSha).at(-1)).toMatchObject({
        status: 'completed',
        conclusion: 'success',
      });
    }
  }
  const artifacts: ArtifactStore = new Map();
  await upstream(pullRequest, artifacts);
  const number = (pullRequest.payload.pull_request as { number: number }).number;
  return {
    records: await runWorkflow(
      workflow,
      workflowRunOf('pull_request', pullRequest.headSha, [number]),
      world(checkout),
      artifacts,
    ),
    headSha: pullRequest.headSha,
    ...(baseSha ? { baseSha } : {}),
  };
}

/**
 * Examples whose base verdict another example leaves: the fork-safe pair's merge queue is
 * compared with main's verdict, which the pair's run on a push to main leaves.
 */
const BASELINE_LEFT_BY: Record<string, string> = {
  'fork-safe-queue.yml': 'fork-safe-gate.yml',
};

const cases: {
  title: string;
  workflow: Workflow;
  checkout: Record<string, string>;
  baselineFrom?: Workflow;
}[] = [
  ...exampleFiles.map((file) => ({
    title: `examples/workflows/${file}`,
    workflow: parseWorkflow(readFileSync(join(examplesDir, file), 'utf8')),
    checkout: USER_REPOSITORY,
    ...(BASELINE_LEFT_BY[file]
      ? {
          baselineFrom: parseWorkflow(
            readFileSync(join(examplesDir, BASELINE_LEFT_BY[file]), 'utf8'),
          ),
        }
      : {}),
  })),
  ...readmeWorkflows().map((block) => ({ ...block, checkout: USER_REPOSITORY })),
];

describe('the examples, run as the runner runs them against the fakes', () => {
  it("cover every example workflow and the README's workflow blocks", () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(7);
    expect(readmeWorkflows().length).toBeGreaterThanOrEqual(4);
  });

  it('the fork-safe pair gives main a verdict, on a push, that a pull request is compared with', async () => {
    const workflow = parseWorkflow(readFileSync(join(examplesDir, 'fork-safe-gate.yml'), 'utf8'));
    const { records, baseSha } = await runTriggered(workflow);
    expect(baseSha).toMatch(/^[0-9a-f]{40}$/);
    const gates = records.filter((r) => r.gate);
    expect(gates.length).toBe(1);
    expect(gates[0]!.gate!.outputs).toMatchObject({
      decision: 'pass',
      baseline_sha: baseSha,
      baseline_decision: 'pass',
    });
    expect(github.violations).toEqual([]);
    github.checkRuns.splice(0);
  }, 60_000);

  for (const { title, workflow, checkout, baselineFrom } of cases) {
    const gates = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => isGateStep(step.uses));
    if (gates.length === 0) {
      it(`${title} has no gate step: it is run by the example that names it`, () => {
        expect(
          cases.some((other) =>
            JSON.stringify(other.workflow.on ?? '').includes(workflow.name ?? '\u0000'),
          ),
        ).toBe(true);
      });
      continue;
    }
    for (const trigger of triggers(workflow)) {
      it(`${title} on ${trigger}: every gate step passes and completes its check`, async () => {
        const evalsBefore = promptfoo.evals().length;
        const {
          records,
          headSha,
          baseSha,
        }: { records: StepRecord[]; headSha: string; baseSha?: string } =
          trigger === 'workflow_run'
            ? await runTriggered(workflow, checkout)
            : await (async () => {
                const event = eventFor(trigger, github);
                // Another example leaves main's verdict (its run on push): the base commit this event is compared with.
                if (baselineFrom && event.name === 'merge_group') {
                  const { baseSha: left } = await runTriggered(baselineFrom, checkout);
                  expect(left, 'the example named in BASELINE_LEFT_BY runs on push').toBeDefined();
                  (event.payload.merge_group as { base_sha: string }).base_sha = left!;
                  return {
                    records: await runWorkflow(workflow, event, world(checkout)),
                    headSha: event.headSha,
                    baseSha: left!,
                  };
                }
                // A command is about a verdict already made: the gate failed on the pull request first.
                if (trigger === 'issue_comment') {
                  const failed = await runAction({
                    inputs: {
                      base_url: world().baseUrl('sepurux'),
                      token: FAKE_TOKEN,
                      project_id: FAKE_PROJECT_ID,
                      trace_id: 'trace-1',
                      campaign_name: 'checkout-regression',
                    },
                    eventName: 'pull_request',
                    payload: eventFor('pull_request', github).payload,
                    github: world().github,
                  });
                  expect(failed.outputs.decision).toBe('fail');
                }
                // A workflow that also runs on push has left main's verdict on the base commit, as it would have.
                if (event.baseSha && triggers(workflow).includes('push')) {
                  const push = { ...eventFor('push', github), headSha: event.baseSha };
                  push.payload.after = event.baseSha;
                  expect(
                    (await runWorkflow(workflow, push, world(checkout))).filter(
                      (r) => r.outcome === 'failure',
                    ),
                  ).toEqual([]);
                }
                return {
                  records: await runWorkflow(workflow, event, world(checkout)),
                  headSha: event.headSha,
                  // A pull request or a merge queue's commit is compared with main's verdict, which the push left.
                  ...(event.baseSha && triggers(workflow).includes('push')
                    ? { baseSha: event.baseSha }
                    : {}),
                };
              })();
        expect(
          records
            .filter((r) => r.outcome === 'failure')
            .map(
              (r) =>
                `${r.job} ${JSON.stringify(r.matrix)} ${r.name}: ${r.gate?.outputs.reason ?? r.output}`,
            ),
        ).toEqual([]);
        // Every gate step ran, once per matrix leg.
        const ran = records.filter((r) => r.gate);
        const legs = (job: Workflow['jobs'][string]) =>
          Object.values(job.strategy?.matrix ?? {}).reduce<number>(
            (n, values) => n * (values as unknown[]).length,
            1,
          );
        expect(ran.length).toBe(
          Object.values(workflow.jobs).reduce(
            (n, job) => n + job.steps.filter((step) => isGateStep(step.uses)).length * legs(job),
            0,
          ),
        );
        for (const record of ran) {
          const run = record.gate!;
          expect(run.outputs.decision, `${record.name}: ${run.outputs.reason}`).toBe('pass');
          expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
          // The verdict a required check waits for is completed on the commit gated; a matrix leg posts none, its aggregate does.
          const report = JSON.parse(readFileSync(run.outputs.report_file!, 'utf8')) as {
            checkName: string;
            shard?: string;
          };
          // After main's own run, the pull request's (or the merge queue's) is compared with main's verdict; a leg reads none,
          // its aggregate does (a step of many gates compares each entry, not the step: its outputs name no baseline).
          const manyGates = (JSON.parse(run.outputs.gates || '[]') as unknown[]).length > 0;
          if (baseSha && !report.shard && !manyGates)
            expect(run.outputs, record.name).toMatchObject({
              baseline_sha: baseSha,
              baseline_decision: 'pass',
            });
          const checks = github.checkRuns.filter(
            (c) => c.head_sha === headSha && c.name === report.checkName,
          );
          if (report.shard) continue;
          expect(checks.length, `${report.checkName} on ${headSha}`).toBeGreaterThan(0);
          // A command leaves the failing check it accepted beneath the newest, which passes.
          expect(
            (trigger === 'issue_comment' ? checks.slice(-1) : checks).every(
              (c) => c.status === 'completed' && c.conclusion === 'success',
            ),
            JSON.stringify(checks.map((c) => [c.status, c.conclusion])),
          ).toBe(true);
        }
        // A promptfoo step ran through the stand-in (once per run of the workflow), and the gate read what it wrote.
        const promptfooSteps = Object.values(workflow.jobs)
          .flatMap((job) => job.steps)
          .filter((step) => /\bnpx\b.*\bpromptfoo@/.test(step.run ?? '')).length;
        expect(
          records.filter((r) => r.output?.includes('promptfoo stand-in: wrote')).length,
          'promptfoo steps the stand-in answered',
        ).toBe(promptfooSteps);
        // (A workflow that also runs on push ran once more first, for main's verdict.)
        expect(promptfoo.evals().length - evalsBefore).toBeGreaterThanOrEqual(promptfooSteps);
        // A braintrust eval step logged its experiment through the stand-in, and the gate read it.
        const braintrustSteps = Object.values(workflow.jobs)
          .flatMap((job) => job.steps)
          .filter((step) => /\bnpx\b.*\bbraintrust@/.test(step.run ?? '')).length;
        expect(
          records.filter((r) => r.output?.includes('braintrust stand-in: logged experiment'))
            .length,
          'braintrust steps the stand-in answered',
        ).toBe(braintrustSteps);
        expect(braintrust.violations).toEqual([]);
        expect(github.violations).toEqual([]);
        github.checkRuns.splice(0);
      }, 60_000);
    }
  }
});

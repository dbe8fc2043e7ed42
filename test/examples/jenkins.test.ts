import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  type JenkinsBuild,
  type JenkinsStep,
  type JenkinsWorld,
  runJenkinsfile,
  runJenkinsText,
} from '../support/jenkins.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX, REPOSITORY_ROOT } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * The Jenkins examples are tests: each Jenkinsfile in examples/ci/ runs as the file stands, in
 * the small Jenkins of test/support/jenkins.ts (which says what it does and what differs from a
 * Jenkins): its stages, its `sh` steps in `sh -xe`, its gate calls through the built
 * dist/cli/index.js, against fakes on 127.0.0.1. Every gate call must reach a verdict: exit 0,
 * decision pass, and where it reports on GitHub, a completed check on the commit it gated.
 *
 * The mapping to the fakes, said once:
 * - credentials: `sepurux-api-key` (Secret text) is FAKE_TOKEN and `sepurux-project-id`
 *   FAKE_PROJECT_ID, so GATE_TOKEN and GATE_PROJECT_ID are the fake Sepurux's; `github-app`
 *   (Username with password: the GitHub Branch Source's GitHub App credential, whose password
 *   is an installation token) is the app `jenkins-gate` and the fake GitHub's token, so
 *   GATE_GITHUB_TOKEN is FAKE_GITHUB_TOKEN;
 * - the job's variables are a multibranch job's with GitHub Branch Source: for pull request 7,
 *   BRANCH_NAME=PR-7, CHANGE_ID=7, CHANGE_URL, CHANGE_BRANCH, CHANGE_TARGET=main, GIT_URL and
 *   GIT_COMMIT, the merge commit Jenkins built (one GitHub never saw); for main, BRANCH_NAME=main
 *   and GIT_COMMIT the pull request's base commit; and JENKINS_URL, JOB_NAME, BUILD_NUMBER, BUILD_URL;
 * - a gate call also gets what the examples leave to the defaults, the public services:
 *   GATE_BASE_URL, the fake Sepurux (not on an --aggregate, which calls no backend and refuses
 *   it), and GATE_GITHUB_API_URL, the fake GitHub.
 */

const BASE = 'f'.repeat(40); // the fake GitHub's base commit of every pull request
const HEAD = 'a1'.repeat(20);
const MERGE = 'b2'.repeat(20);
const PULL_REQUEST = 7;
const CHECK = 'Sepurux Reliability Gate';
const AGENTS = ['refunds', 'support', 'billing'];
const GITHUB_REPOSITORY = 'https://github.com/acme/agents.git';

let sepurux = new FakeSepurux();
let github = new FakeGitHub({ app: 'jenkins-gate' });
const archives: JenkinsWorld['archives'] = new Map();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub({ app: 'jenkins-gate' });
  github.seedPullRequest(PULL_REQUEST, HEAD);
  archives.clear();
});
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** The multibranch job's variables for one build of `branch`: main, or pull request 7's PR-7. */
function buildVariables(
  branch: 'main' | 'PR-7',
  repository: string,
  number: number,
): Record<string, string> {
  const common = {
    JENKINS_URL: 'https://jenkins.example.com/',
    JOB_NAME: `agents/${branch}`,
    JOB_BASE_NAME: branch,
    JOB_URL: `https://jenkins.example.com/job/agents/job/${branch}/`,
    BUILD_NUMBER: String(number),
    BUILD_ID: String(number),
    BUILD_TAG: `jenkins-agents-${branch}-${number}`,
    BUILD_URL: `https://jenkins.example.com/job/agents/job/${branch}/${number}/`,
    BRANCH_NAME: branch,
    GIT_URL: repository,
    GIT_BRANCH: branch,
  };
  if (branch === 'main') return { ...common, GIT_COMMIT: BASE };
  return {
    ...common,
    CHANGE_ID: String(PULL_REQUEST),
    CHANGE_URL: `${repository.replace(/\.git$/, '')}/pull/${PULL_REQUEST}`,
    CHANGE_TITLE: 'Refund agent: look the order up once',
    CHANGE_AUTHOR: 'octocat',
    CHANGE_BRANCH: 'feature',
    CHANGE_TARGET: 'main',
    GIT_COMMIT: MERGE,
  };
}

/** The Jenkins of one build of `branch`. */
function world(branch: 'main' | 'PR-7', repository = GITHUB_REPOSITORY): JenkinsWorld {
  return {
    build: buildVariables(branch, repository, branch === 'main' ? 41 : 12),
    credentials: {
      'sepurux-api-key': FAKE_TOKEN,
      'sepurux-project-id': FAKE_PROJECT_ID,
      'github-app': { username: 'jenkins-gate', password: FAKE_GITHUB_TOKEN },
    },
    stepEnv: (script) =>
      script.includes(EXAMPLE_GATE_PREFIX)
        ? {
            ...(/--aggregate\b/.test(script) ? {} : { GATE_BASE_URL: servers[0]!.origin }),
            GATE_GITHUB_API_URL: servers[1]!.origin,
          }
        : {},
    archives,
  };
}

const gateSteps = (build: JenkinsBuild) => build.steps.filter((step) => step.gate);
/** The decision the gate printed last on stdout. */
const decision = (step: JenkinsStep) =>
  /^(pass|warn|fail): /.exec(step.stdout?.trim().split('\n').at(-1) ?? '')?.[1];
const describeStep = (step: JenkinsStep) =>
  `${step.stage} ${JSON.stringify(step.cell)}: ${step.script}\nexit ${step.exitCode}\n${step.stdout}\n${step.stderr}`;
const readJson = (step: JenkinsStep, file: string) =>
  JSON.parse(readFileSync(join(step.workspace, file), 'utf8')) as Record<string, unknown>;
/** How often the file runs the gate, in its own text. */
const gateCalls = (file: string) =>
  readFileSync(join(REPOSITORY_ROOT, file), 'utf8').split(EXAMPLE_GATE_PREFIX).length - 1;
const seen = (markdown: string) => render(markdown).text.replaceAll('\u200d', '');

/**
 * main's own build: the same gate call, with nothing to compare `--max-pass-rate-drop` with (main
 * is the baseline). It decides warn, exit 0; a warning is no failed test (its JUnit case passes,
 * saying why in its output), so main's every build is not UNSTABLE for having no baseline.
 */
function expectMainWarned(build: JenkinsBuild, file: string): JenkinsStep {
  const gates = gateSteps(build);
  expect(gates).toHaveLength(gateCalls(file));
  const [gate] = gates;
  expect(gate!.exitCode, describeStep(gate!)).toBe(0);
  expect((gate!.stdout ?? '').trim().split('\n').at(-1)).toMatch(
    /^warn: Sepurux decided pass, and all 2 thresholds hold; against the base branch: nothing was compared for --max-pass-rate-drop \(no baseline: /,
  );
  expect(
    build.tests.flatMap((t) => t.cases.filter((c) => c.failure !== undefined).map((c) => c.name)),
  ).toEqual([]);
  expect(build.tests.flatMap((t) => t.cases.map((c) => c.name))).toContain(
    '--max-pass-rate-drop: pass rate drop ≤ 0.05',
  );
  expect(build.result, build.log).toBe('SUCCESS');
  return gate!;
}

/** The build passed: every `sh` step exited 0, every gate call decided pass, no JUnit failure, no secret in the log. */
function expectPassed(build: JenkinsBuild): void {
  for (const step of build.steps.filter((s) => s.step === 'sh'))
    expect(step.exitCode, describeStep(step)).toBe(0);
  for (const step of gateSteps(build)) expect(decision(step), describeStep(step)).toBe('pass');
  expect(build.result, build.log).toBe('SUCCESS');
  expect(build.tests.length, "the junit step recorded the gate's report").toBeGreaterThan(0);
  for (const tests of build.tests) expect(tests.failures, tests.xml).toBe(0);
  expect(build.log).not.toContain(FAKE_TOKEN);
  expect(build.log).not.toContain(FAKE_GITHUB_TOKEN);
}

describe('examples/ci/Jenkinsfile: a GitHub repository, the check and the comment on the pull request', () => {
  const file = 'examples/ci/Jenkinsfile';

  it("main's build leaves its verdict on main's commit; the pull request's build gates, completes the check on its head and compares with main", async () => {
    const main = await runJenkinsfile(file, world('main'));
    expectMainWarned(main, file);
    expect(github.checkRuns.filter((run) => run.head_sha === BASE)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed', conclusion: 'neutral' }),
    ]);

    const pr = await runJenkinsfile(file, world('PR-7'));
    expectPassed(pr);
    const [gate] = gateSteps(pr);
    expect(gateSteps(pr)).toHaveLength(gateCalls(file));
    // The stage before it wrote the trace the gate uploaded.
    expect(pr.steps.map((step) => step.stage)).toEqual([
      'Record trace',
      'Reliability gate',
      'Reliability gate',
      'Reliability gate',
      'Reliability gate',
    ]);
    expect(gate!.stderr).toContain('read from Jenkins');
    expect(gate!.stderr).toContain(
      `The CI built ${MERGE.slice(0, 12)} (a merge commit?); the check goes on pull request #${PULL_REQUEST}'s head ${HEAD.slice(0, 12)}`,
    );
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').at(-1)?.body).toMatchObject({
      repo: 'acme/agents',
      pull_request_number: PULL_REQUEST,
    });

    // The required check: completed on the pull request's head, where branch protection looks.
    expect(github.checkRuns.filter((run) => run.head_sha === HEAD)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed', conclusion: 'success' }),
    ]);
    expect(github.checkRuns.filter((run) => run.head_sha === MERGE)).toEqual([]);
    // One sticky comment, compared with main's verdict, linking this build.
    const comments = github.comments.get(PULL_REQUEST) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.user.login).toBe('jenkins-gate[bot]');
    expect(seen(comments[0]!.body)).toContain(`${CHECK}: pass`);
    expect(seen(comments[0]!.body)).toContain(`Base ${BASE.slice(0, 7)} (warn)`);
    expect(render(comments[0]!.body).links).toContain(
      'https://jenkins.example.com/job/agents/job/PR-7/12/',
    );
    expect(github.violations).toEqual([]);
    expect(github.requests.every((r) => r.authorization === `token ${FAKE_GITHUB_TOKEN}`)).toBe(
      true,
    );

    // The post steps: the JUnit report (a case per threshold) and the archived report.
    expect(pr.tests.map((t) => [t.stage, t.file])).toEqual([['Reliability gate', 'gate.xml']]);
    expect(pr.tests[0]!.cases.map((c) => c.name).join('\n')).toContain('--max-pass-rate-drop');
    expect(JSON.parse(pr.archived.get('gate.json')!.toString('utf8'))).toMatchObject({
      decision: 'pass',
      checkName: CHECK,
    });
  });

  it('fails the build when the verdict fails: the check completes as failed, and the post steps still record it (this check can fail)', async () => {
    sepurux.campaign('refund-reliability').outcome = {
      ...sepurux.campaign('checkout-regression').outcome,
    };
    const pr = await runJenkinsfile(file, world('PR-7'));
    expect(pr.result).toBe('FAILURE');
    expect(gateSteps(pr).map((step) => [step.exitCode, decision(step)])).toEqual([[1, 'fail']]);
    expect(github.checkRuns.filter((run) => run.head_sha === HEAD)).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'failure' }),
    ]);
    expect(pr.tests[0]!.failures).toBeGreaterThan(0);
    expect(pr.archived.has('gate.json')).toBe(true);
  });
});

describe("examples/ci/baseline.Jenkinsfile: a repository elsewhere, main's archived gate.json as the baseline", () => {
  const file = 'examples/ci/baseline.Jenkinsfile';
  const GITEA = 'https://gitea.example.com/acme/agents.git';

  it("main's build archives its report; the pull request's build copies it from main's job and compares with it", async () => {
    const main = await runJenkinsfile(file, world('main', GITEA));
    expect(main.stages.find((stage) => stage.name === 'Baseline')?.status).toBe('skipped for when');
    expect(expectMainWarned(main, file).stdout).toContain('no --baseline-report was given');
    expect([...archives.get('agents/main')!.keys()].sort()).toEqual(['gate.json', 'gate.md']);

    const pr = await runJenkinsfile(file, world('PR-7', GITEA));
    expectPassed(pr);
    expect(gateSteps(pr)).toHaveLength(gateCalls(file));
    expect(pr.stages.find((stage) => stage.name === 'Baseline')?.status).toBe('ran');
    const [gate] = gateSteps(pr);
    // The copy of main's report the gate compared with: main's commit, its figures beside these.
    expect(readJson(gate!, 'baseline/gate.json')).toMatchObject({ headSha: BASE });
    const report = readJson(gate!, 'gate.json');
    expect(report).toMatchObject({
      decision: 'pass',
      headSha: MERGE,
      baseline: { record: { headSha: BASE } },
    });
    expect(seen(readFileSync(join(gate!.workspace, 'gate.md'), 'utf8'))).toContain(
      `Base ${BASE.slice(0, 7)} (warn)`,
    );
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').at(-1)?.body).toMatchObject({
      repo: 'acme/agents',
      pull_request_number: PULL_REQUEST,
    });
    expect([...pr.archived.keys()].sort()).toEqual(['gate.json', 'gate.md']);
    // No GitHub here: nothing was sent there.
    expect(github.requests).toEqual([]);
  });
});

describe('examples/ci/matrix.Jenkinsfile: a matrix of agents, their reports stashed, then one verdict', () => {
  const file = 'examples/ci/matrix.Jenkinsfile';

  it('each leg gates its own agent and stashes its report; the stage after them pools the three into one passing verdict', async () => {
    const pr = await runJenkinsfile(file, world('PR-7'));
    expectPassed(pr);
    // The file's two gate calls: the leg's, once per agent, then the aggregate's.
    expect(gateCalls(file)).toBe(2);
    const legs = gateSteps(pr).filter((step) => step.stage === 'Gate one agent');
    const aggregates = gateSteps(pr).filter((step) => step.stage === 'Reliability gate');
    expect(legs.map((leg) => leg.cell.AGENT).sort()).toEqual([...AGENTS].sort());
    expect(aggregates).toHaveLength(1);
    const aggregate = aggregates[0];
    for (const leg of legs) {
      expect(readJson(leg, `reports/${leg.cell.AGENT}.json`), describeStep(leg)).toMatchObject({
        decision: 'pass',
        shard: leg.cell.AGENT,
        headSha: MERGE,
      });
      expect(leg.stderr).toContain('read from Jenkins');
    }
    // Each leg recorded its own agent's trace, and gated it.
    expect(
      [...sepurux.traces.values()].map((trace) => (trace as { agent: string }).agent).sort(),
    ).toEqual([...AGENTS].sort());
    expect(
      new Set(sepurux.requestsTo('POST', '/v1/ci/runs').map((r) => r.headers['idempotency-key']))
        .size,
    ).toBe(AGENTS.length);

    // The aggregate: the three unstashed reports, one verdict, a JUnit test case per shard.
    expect(aggregate!.exitCode, describeStep(aggregate!)).toBe(0);
    expect(decision(aggregate!)).toBe('pass');
    const cases = pr.tests.flatMap((t) => t.cases.map((c) => c.name)).join('\n');
    for (const agent of AGENTS) expect(cases).toContain(agent);
    const summary = seen(readFileSync(join(aggregate!.workspace, 'gate.md'), 'utf8'));
    expect(summary).toContain(`${CHECK}: pass`);
    for (const agent of AGENTS) expect(summary).toContain(agent);
    expect(github.requests).toEqual([]);
  });

  it('a failing leg hands its report on and the aggregate fails, naming it (this check can fail)', async () => {
    let runs = 0;
    sepurux.campaign('refund-reliability').draw = () =>
      ++runs === 2 ? { decision: 'fail', pass_rate: 0.5, failures: 5 } : {};
    const pr = await runJenkinsfile(file, world('PR-7'));
    expect(pr.result).toBe('FAILURE');
    const legs = gateSteps(pr).filter((step) => step.stage === 'Gate one agent');
    const failed = legs.filter((leg) => leg.exitCode !== 0);
    expect(failed.map((leg) => [leg.exitCode, decision(leg)])).toEqual([[1, 'fail']]);
    const aggregate = gateSteps(pr).find((step) => step.stage === 'Reliability gate')!;
    expect([aggregate.exitCode, decision(aggregate)]).toEqual([1, 'fail']);
    expect(aggregate.stdout).toContain(failed[0]!.cell.AGENT);
  });

  it('a leg that left no report fails the aggregate (this check can fail)', async () => {
    const text = readFileSync(join(REPOSITORY_ROOT, file), 'utf8').replace(
      "values 'refunds', 'support', 'billing'",
      "values 'refunds', 'support'",
    );
    expect(text).not.toContain("'billing' }");
    const pr = await runJenkinsText(text, world('PR-7'));
    expect(pr.result).toBe('FAILURE');
    expect(pr.log).toContain('no report from billing');
    const aggregate = gateSteps(pr).find((step) => step.stage === 'Reliability gate')!;
    expect([aggregate.exitCode, decision(aggregate)], describeStep(aggregate)).toEqual([1, 'fail']);
  });
});

describe("the tests' Jenkins", () => {
  const minimal = (steps: string) =>
    `pipeline {\n  agent any\n  stages {\n    stage('One') {\n      steps {\n        ${steps}\n      }\n    }\n  }\n}\n`;

  it('refuses what it does not know, naming it, rather than skip it', async () => {
    await expect(runJenkinsText(minimal("bat 'dir'"), world('PR-7'))).rejects.toThrow(
      'does not know the step bat',
    );
    await expect(
      runJenkinsText(
        minimal("withCredentials([string(credentialsId: 'nope', variable: 'X')]) { sh 'true' }"),
        world('PR-7'),
      ),
    ).rejects.toThrow('credential nope is not in the test');
    await expect(
      runJenkinsText(minimal("sh 'true'").replace('agent any', 'agent none'), world('PR-7')),
    ).rejects.toThrow('runs on no agent');
    await expect(
      runJenkinsText(
        minimal("sh 'true'").replace('agent any', 'agent any\n  options { skipDefaultCheckout() }'),
        world('PR-7'),
      ),
    ).rejects.toThrow('does not know "skipDefaultCheckout" in options');
  });

  it('runs `sh` as Jenkins does: `sh -xe` in the workspace, a failing script fails the stage, returnStatus keeps it going', async () => {
    const ok = await runJenkinsText(
      minimal(
        `sh 'test -f promptfooconfig.yaml && echo "$BRANCH_NAME $CHANGE_ID"'\n        sh returnStatus: true, script: 'false'`,
      ),
      world('PR-7'),
    );
    expect(ok.result, ok.log).toBe('SUCCESS');
    expect(ok.steps[0]!.stdout).toBe('PR-7 7\n');
    expect(ok.steps[1]!.exitCode).toBe(1);
    const failed = await runJenkinsText(
      minimal("sh 'false'\n        sh 'echo never'"),
      world('PR-7'),
    );
    expect(failed.result).toBe('FAILURE');
    expect(failed.steps.map((step) => step.exitCode)).toEqual([1]);
  });
});

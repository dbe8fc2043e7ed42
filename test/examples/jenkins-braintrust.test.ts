import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { braintrustStandIn } from '../support/braintrust-stand-in.js';
import { FAKE_BRAINTRUST_TOKEN, FakeBraintrust, rowsOf } from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { type JenkinsBuild, type JenkinsWorld, runJenkinsfile } from '../support/jenkins.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * examples/ci/braintrust.Jenkinsfile runs as the file stands in the tests' Jenkinsfile runner
 * (test/support/jenkins.ts says what it does): its `npx --yes braintrust@3.35.0 eval` is answered
 * by the braintrust stand-in (test/support/braintrust-stand-in.ts), which logs the experiment
 * named by BRAINTRUST_EXPERIMENT in the fake Braintrust, and the gate reads it through the built
 * command line.
 *
 * The mapping to the fakes, said once: `braintrust-api-key` is the fake Braintrust's key;
 * `github-app` is the app `jenkins-gate` with the fake GitHub's token; the build's variables are a
 * multibranch job's for pull request 7 (a merge commit built) and for main (the pull request's
 * base commit); a gate call gets GATE_GITHUB_API_URL, the fake GitHub, and GATE_BASE_URL, the
 * fake Braintrust, which the example leaves to its default.
 */

const FILE = 'examples/ci/braintrust.Jenkinsfile';
const BASE = 'f'.repeat(40); // the fake GitHub's base commit of every pull request
const HEAD = 'a1'.repeat(20);
const MERGE = 'b2'.repeat(20);
const PULL_REQUEST = 7;
const CHECK = 'Braintrust Gate';
const REPOSITORY = 'https://github.com/acme/agents.git';

let github: FakeGitHub;
let braintrust: FakeBraintrust;
let servers: ServedHandlers[];
const standIn = braintrustStandIn(() => servers[1]!.origin);
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => github.handlers()),
    serveHandlers(() => braintrust.handlers()),
  ]);
});
beforeEach(() => {
  github = new FakeGitHub({ app: 'jenkins-gate' });
  github.seedPullRequest(PULL_REQUEST, HEAD);
  braintrust = new FakeBraintrust({ experiments: [] });
});
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** A build of `branch` whose `braintrust eval` logs an experiment of `failing` regressed records (of 10). */
async function build(branch: 'main' | 'PR-7', failing = 0) {
  braintrust.loggedRows = () => rowsOf(10, failing);
  const number = branch === 'main' ? 41 : 12;
  const world: JenkinsWorld = {
    build: {
      JENKINS_URL: 'https://jenkins.example.com/',
      JOB_NAME: `agents/${branch}`,
      BUILD_NUMBER: String(number),
      BUILD_URL: `https://jenkins.example.com/job/agents/job/${branch}/${number}/`,
      BRANCH_NAME: branch,
      GIT_URL: REPOSITORY,
      GIT_BRANCH: branch,
      ...(branch === 'main'
        ? { GIT_COMMIT: BASE }
        : {
            CHANGE_ID: String(PULL_REQUEST),
            CHANGE_URL: `https://github.com/acme/agents/pull/${PULL_REQUEST}`,
            CHANGE_BRANCH: 'feature',
            CHANGE_TARGET: 'main',
            GIT_COMMIT: MERGE,
          }),
    },
    credentials: {
      'braintrust-api-key': FAKE_BRAINTRUST_TOKEN,
      'github-app': { username: 'jenkins-gate', password: FAKE_GITHUB_TOKEN },
    },
    stepEnv: (script): Record<string, string> =>
      script.includes(EXAMPLE_GATE_PREFIX)
        ? { GATE_GITHUB_API_URL: servers[0]!.origin, GATE_BASE_URL: servers[1]!.origin }
        : {},
    archives: new Map(),
    bin: [standIn.bin],
  };
  const ran = await runJenkinsfile(FILE, world);
  // The eval stage logged one experiment, named for this build, through the stand-in.
  const commit = branch === 'main' ? BASE : MERGE;
  expect(ran.log).toContain(
    `braintrust stand-in: logged experiment "ci-${commit}-${number}" (evals/support.eval.js)`,
  );
  expect(braintrust.violations).toEqual([]);
  return ran;
}

const gate = (build: JenkinsBuild) => build.steps.filter((step) => step.gate);
const decision = (build: JenkinsBuild) =>
  gate(build).map((step) => (step.stdout ?? '').trim().split('\n').at(-1));
const seen = (markdown: string) => render(markdown).text.replaceAll('\u200d', '');

describe(`${FILE}: a Braintrust experiment, judged with the check and the comment on the pull request`, () => {
  it("main's build leaves its verdict; the pull request's passing experiment passes, compared with main", async () => {
    const main = await build('main');
    expect(main.result, main.log).toBe('SUCCESS');
    expect(decision(main)).toEqual([expect.stringMatching(/^warn: .*no baseline/)]);
    expect(github.checkRuns.filter((run) => run.head_sha === BASE)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed' }),
    ]);

    const pr = await build('PR-7');
    expect(pr.result, pr.log).toBe('SUCCESS');
    expect(pr.steps.filter((s) => s.step === 'sh').map((s) => [s.stage, s.exitCode])).toEqual([
      ['Evaluate (braintrust eval)', 0],
      ['Braintrust gate', 0],
    ]);
    expect(decision(pr)).toEqual([expect.stringMatching(/^pass: /)]);
    expect(github.checkRuns.filter((run) => run.head_sha === HEAD)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed', conclusion: 'success' }),
    ]);
    const comments = github.comments.get(PULL_REQUEST) ?? [];
    expect(comments).toHaveLength(1);
    expect(seen(comments[0]!.body)).toContain(`${CHECK}: pass`);
    expect(seen(comments[0]!.body)).toContain(`Base ${BASE.slice(0, 7)}`);
    expect(pr.tests.map((t) => [t.stage, t.file, t.failures])).toEqual([
      ['Braintrust gate', 'gate.xml', 0],
    ]);
    expect([...pr.archived.keys()]).toEqual(['gate.json']);
    expect(github.violations).toEqual([]);
    expect(pr.log).not.toContain(FAKE_GITHUB_TOKEN);
    expect(pr.log).not.toContain(FAKE_BRAINTRUST_TOKEN);
  });

  it('fails the build on an experiment that regresses 3 dataset records: the check fails, the comment names them, new beside main (this check can fail)', async () => {
    await build('main');
    const pr = await build('PR-7', 3);
    expect(pr.result).toBe('FAILURE');
    expect(gate(pr).map((step) => step.exitCode)).toEqual([1]);
    expect(decision(pr)).toEqual([expect.stringMatching(/^fail: /)]);
    expect(github.checkRuns.filter((run) => run.head_sha === HEAD)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed', conclusion: 'failure' }),
    ]);
    const body = seen(github.comments.get(PULL_REQUEST)?.at(-1)?.body ?? '');
    expect(body).toContain('Failing cases (3 of 10; 3 new)');
    for (const record of ['question 8', 'question 9', 'question 10'])
      expect(body).toContain(record);
    expect(body).toContain(`new: passed on ${BASE.slice(0, 7)}`);
    expect(pr.tests[0]!.failures).toBeGreaterThan(0);
    expect(github.violations).toEqual([]);
  });
});

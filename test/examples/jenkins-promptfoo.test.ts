import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { type JenkinsBuild, type JenkinsWorld, runJenkinsfile } from '../support/jenkins.js';
import type { PROMPTFOO_FILES } from '../support/promptfoo.js';
import { promptfooStandIn } from '../support/promptfoo-stand-in.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * examples/ci/promptfoo.Jenkinsfile runs as the file stands in the tests' Jenkinsfile runner
 * (test/support/jenkins.ts says what it does): its promptfoo stage's `npx --yes promptfoo@0.123.1
 * eval` is answered by the promptfoo stand-in (test/support/promptfoo-stand-in.ts), which writes a
 * results file the real promptfoo wrote, and the gate reads it through the built command line.
 *
 * The mapping to the fakes, said once: `openai-api-key` is a fake key nothing reads (promptfoo's
 * provider would); `github-app` is the app `jenkins-gate` with the fake GitHub's token; the
 * build's variables are a multibranch job's for pull request 7 (a merge commit built) and for
 * main (the pull request's base commit); a gate call gets GATE_GITHUB_API_URL, the fake GitHub.
 */

const FILE = 'examples/ci/promptfoo.Jenkinsfile';
const BASE = 'f'.repeat(40); // the fake GitHub's base commit of every pull request
const HEAD = 'a1'.repeat(20);
const MERGE = 'b2'.repeat(20);
const PULL_REQUEST = 7;
const CHECK = 'promptfoo Gate';
const REPOSITORY = 'https://github.com/acme/agents.git';

let github: FakeGitHub;
let api: ServedHandlers;
beforeAll(async () => {
  api = await serveHandlers(() => github.handlers());
});
beforeEach(() => {
  github = new FakeGitHub({ app: 'jenkins-gate' });
  github.seedPullRequest(PULL_REQUEST, HEAD);
});
afterAll(async () => api?.close());

/** A build of `branch` whose promptfoo writes `results` (a committed results file the real promptfoo wrote). */
async function build(branch: 'main' | 'PR-7', results: keyof typeof PROMPTFOO_FILES) {
  const standIn = promptfooStandIn(results);
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
      'openai-api-key': 'sk-fake-openai-key-read-by-nothing',
      'github-app': { username: 'jenkins-gate', password: FAKE_GITHUB_TOKEN },
    },
    stepEnv: (script): Record<string, string> =>
      script.includes(EXAMPLE_GATE_PREFIX) ? { GATE_GITHUB_API_URL: api.origin } : {},
    archives: new Map(),
    bin: [standIn.bin],
  };
  const ran = await runJenkinsfile(FILE, world);
  // The promptfoo stage ran once, through the stand-in, in the build's workspace.
  expect(standIn.evals().map((e) => e.outputs)).toEqual([['results.json']]);
  return ran;
}

const gate = (build: JenkinsBuild) => build.steps.filter((step) => step.gate);
const decision = (build: JenkinsBuild) =>
  gate(build).map((step) => (step.stdout ?? '').trim().split('\n').at(-1));
const seen = (markdown: string) => render(markdown).text.replaceAll('\u200d', '');

describe(`${FILE}: promptfoo's results file, judged with the check and the comment on the pull request`, () => {
  it("main's build leaves its verdict; the pull request's build reads its results file and passes, compared with main", async () => {
    const main = await build('main', 'pass');
    expect(main.result, main.log).toBe('SUCCESS');
    expect(decision(main)).toEqual([expect.stringMatching(/^warn: .*no baseline/)]);
    expect(github.checkRuns.filter((run) => run.head_sha === BASE)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed' }),
    ]);

    const pr = await build('PR-7', 'pass');
    expect(pr.result, pr.log).toBe('SUCCESS');
    expect(pr.steps.filter((s) => s.step === 'sh').map((s) => [s.stage, s.exitCode])).toEqual([
      ['Evaluate (promptfoo)', 0],
      ['promptfoo gate', 0],
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
      ['promptfoo gate', 'gate.xml', 0],
    ]);
    expect([...pr.archived.keys()].sort()).toEqual(['gate.json', 'results.json']);
    expect(github.violations).toEqual([]);
    expect(pr.log).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it('fails the build on a regressed suite: the check fails, the comment names the failing cases, new beside main (this check can fail)', async () => {
    await build('main', 'pass');
    const pr = await build('PR-7', 'regressed');
    expect(pr.result).toBe('FAILURE');
    expect(gate(pr).map((step) => step.exitCode)).toEqual([1]);
    expect(decision(pr)).toEqual([expect.stringMatching(/^fail: /)]);
    expect(github.checkRuns.filter((run) => run.head_sha === HEAD)).toEqual([
      expect.objectContaining({ name: CHECK, status: 'completed', conclusion: 'failure' }),
    ]);
    const body = seen(github.comments.get(PULL_REQUEST)?.at(-1)?.body ?? '');
    expect(body).toContain('refund within 30 days');
    expect(body).toContain('Failing cases (2 of 4; 2 new)');
    expect(body).toContain(`new: passed on ${BASE.slice(0, 7)}`);
    expect(pr.tests[0]!.failures).toBeGreaterThan(0);
    expect(github.violations).toEqual([]);
  });
});

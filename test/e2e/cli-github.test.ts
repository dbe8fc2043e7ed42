import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/core/render/marker.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { render } from '../support/render.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// The built command line in a Jenkins job building a GitHub pull request (GitHub Branch Source):
// Jenkins' variables only, no GITHUB_* Actions variable, reporting on a fake GitHub.
let sepurux = new FakeSepurux();
let github = new FakeGitHub({ app: 'jenkins-gate' });
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
  github.seedPullRequest(7, HEAD);
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const BASE = 'f'.repeat(40); // the fake's base commit of every pull request
const HEAD = 'a1'.repeat(20);
/** Jenkins builds the pull request merged into its target: a commit GitHub never saw. */
const MERGE = 'b2'.repeat(20);
const CHECK = 'Sepurux Reliability Gate';
const jenkins = (more: Record<string, string> = {}) => ({
  JENKINS_URL: 'https://jenkins.example.com/',
  JOB_NAME: 'agents/PR-7',
  BUILD_NUMBER: '12',
  BUILD_URL: 'https://jenkins.example.com/job/agents/job/PR-7/12/',
  GIT_URL: 'https://github.com/acme/agents.git',
  CHANGE_ID: '7',
  CHANGE_URL: 'https://github.com/acme/agents/pull/7',
  CHANGE_TARGET: 'main',
  GIT_COMMIT: MERGE,
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
  GATE_GITHUB_TOKEN: FAKE_GITHUB_TOKEN,
  GATE_GITHUB_API_URL: servers[1]!.origin,
  ...more,
});
/** main's own build: no pull request, its commit is the pull requests' base. */
const mainBuild = () =>
  jenkins({
    JOB_NAME: 'agents/main',
    CHANGE_ID: '',
    CHANGE_URL: '',
    CHANGE_TARGET: '',
    GIT_COMMIT: BASE,
  });
const gate = (campaign: string, env: Record<string, string>, more: string[] = []) =>
  runCli(['--trace-id', 'trace-1', '--campaign-name', campaign, ...more], env);
const comments = () => github.comments.get(7) ?? [];
const seen = (body: string) => render(body).text.replaceAll('\u200d', '');

describe('the command line reports on GitHub from Jenkins (GATE_GITHUB_TOKEN)', () => {
  it("leaves one completed check on the pull request's head and one sticky comment, edited in place by the next build", async () => {
    const first = await gate('checkout-regression', jenkins());
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stderr).toContain(
      `The CI built ${MERGE.slice(0, 12)} (a merge commit?); the check goes on pull request #7's head ${HEAD.slice(0, 12)}`,
    );
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({
      name: CHECK,
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'failure',
      details_url: expect.stringContaining('app.sepurux.dev'),
    });
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.user.login).toBe('jenkins-gate[bot]');
    expect(comments()[0]!.body).toContain(commentMarker(CHECK));
    expect(seen(comments()[0]!.body)).toContain(`${CHECK}: fail`);
    expect(render(comments()[0]!.body).links).toContain(
      'https://jenkins.example.com/job/agents/job/PR-7/12/',
    );

    const second = await gate('refund-reliability', jenkins({ BUILD_NUMBER: '13' }));
    expect(second.exitCode, second.stderr).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(seen(comments()[0]!.body)).toContain(`${CHECK}: pass`);
    expect(github.checkRuns.map((run) => run.conclusion)).toEqual(['failure', 'success']);
    expect(github.violations).toEqual([]);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(
      FAKE_GITHUB_TOKEN,
    );
    // Jenkins' variables only: the fake saw the token, nothing named the Actions runtime.
    expect(github.requests.every((r) => r.authorization === `token ${FAKE_GITHUB_TOKEN}`)).toBe(
      true,
    );
  });

  it("compares with the base commit's verdict that main's build left on GitHub, and gates on a drop", async () => {
    // The same campaign, better on main.
    const campaign = sepurux.campaign('checkout-regression');
    const regressed = campaign.outcome;
    campaign.outcome = {
      decision: 'pass',
      pass_rate: 0.92,
      unsafe_attempts: 0,
      failures: 0,
      reliability_score: 91,
    };
    const main = await gate('checkout-regression', mainBuild());
    expect(main.exitCode, main.stderr).toBe(0);
    campaign.outcome = regressed;
    expect(github.checkRuns[0]).toMatchObject({ head_sha: BASE, conclusion: 'success' });
    expect(comments()).toHaveLength(0);
    const pr = await gate('checkout-regression', jenkins(), [
      '--max-pass-rate-drop',
      '0.05',
      '--max-unsafe',
      '5',
    ]);
    expect(pr.exitCode).toBe(1);
    const body = seen(comments()[0]!.body);
    expect(body).toContain(`Base ${BASE.slice(0, 7)} (pass)`);
    expect(pr.stdout).toMatch(/^fail: .*pass rate drop 0\.2 > 0\.05 \(--max-pass-rate-drop\)/m);
  });

  it('a personal token, which may not create checks, reports a commit status and still comments', async () => {
    github = new FakeGitHub({
      actor: { login: 'ci-user', type: 'User' },
      forbid: { checks: true },
    });
    github.seedPullRequest(7, HEAD);
    const run = await gate('refund-reliability', jenkins());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(github.statuses.at(-1)).toMatchObject({ sha: HEAD, state: 'success', context: CHECK });
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.user.login).toBe('ci-user');
  });

  it("Jenkins' abort (SIGTERM) completes the check as cancelled within seconds", async () => {
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'slow-campaign'],
      jenkins(),
      process.cwd(),
      { stderrIncludes: '▸ Wait for the verdict', signal: 'SIGTERM' },
    );
    expect(run.signalledAt).toBeDefined();
    expect(run.exitedAt - run.signalledAt!).toBeLessThan(5_000);
    expect(run.exitCode).toBe(1);
    expect(github.checkRuns).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'cancelled', head_sha: HEAD }),
    ]);
  });

  it('reports to GitHub Enterprise Server under /api/v3, from Buildkite', async () => {
    github = new FakeGitHub({ app: 'buildkite-gate', pathPrefix: '/api/v3' });
    github.seedPullRequest(9, HEAD);
    const run = await gate('refund-reliability', {
      BUILDKITE: 'true',
      BUILDKITE_REPO: 'git@ghe.example.com:acme/agents.git',
      BUILDKITE_PULL_REQUEST: '9',
      BUILDKITE_COMMIT: HEAD,
      BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/agents/builds/3',
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
      GATE_GITHUB_TOKEN: FAKE_GITHUB_TOKEN,
      GITHUB_API_URL: `${servers[1]!.origin}/api/v3`,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(github.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
    expect(github.comments.get(9)).toHaveLength(1);
    expect(github.requests.some((r) => r.path.startsWith('/repos/acme/agents/'))).toBe(true);
  });

  it("puts the check on the commit evaluated when the pull request's head moved during the build, never on the new head (Buildkite)", async () => {
    // Buildkite built X, the head when the build started; a push made Y the head before the gate reported.
    const BUILT = 'c3'.repeat(20);
    github.seedCommit(BUILT, [BASE]);
    github.seedPullRequest(9, HEAD);
    const run = await gate('refund-reliability', {
      BUILDKITE: 'true',
      BUILDKITE_REPO: 'git@github.com:acme/agents.git',
      BUILDKITE_PULL_REQUEST: '9',
      BUILDKITE_COMMIT: BUILT,
      BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/agents/builds/4',
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
      GATE_GITHUB_TOKEN: FAKE_GITHUB_TOKEN,
      GATE_GITHUB_API_URL: servers[1]!.origin,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(github.checkRuns).toEqual([
      expect.objectContaining({ head_sha: BUILT, status: 'completed', conclusion: 'success' }),
    ]);
    expect(github.checkRuns.filter((check) => check.head_sha === HEAD)).toEqual([]);
    expect(run.stderr).toContain(
      `warning: Pull request #9's head moved during the build: GitHub says it is now ${HEAD.slice(0, 12)}, but this build evaluated ${BUILT.slice(0, 12)} (BUILDKITE_COMMIT). The check goes on ${BUILT.slice(0, 12)}, the commit evaluated; ${HEAD.slice(0, 12)} gets no check from this build`,
    );
    // The comment names the commit it judged.
    expect(seen(github.comments.get(9)![0]!.body)).toContain(`commit ${BUILT.slice(0, 12)}`);
    expect(github.violations).toEqual([]);
  });

  it("Jenkins: an older head of the pull request gets the check; GitHub's own merge commit of the head still puts it on the head", async () => {
    const OLD_HEAD = 'd4'.repeat(20);
    github.seedCommit(OLD_HEAD, [BASE]);
    const moved = await gate('refund-reliability', jenkins({ GIT_COMMIT: OLD_HEAD }));
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(
      `but this build evaluated ${OLD_HEAD.slice(0, 12)} (GIT_COMMIT). The check goes on ${OLD_HEAD.slice(0, 12)}`,
    );
    expect(github.checkRuns.map((check) => [check.head_sha, check.conclusion])).toEqual([
      [OLD_HEAD, 'success'],
    ]);
    // refs/pull/7/merge: a merge commit GitHub made of the head and the base.
    const MERGE_REF = 'e5'.repeat(20);
    github.seedCommit(MERGE_REF, [BASE, HEAD]);
    const merged = await gate(
      'refund-reliability',
      jenkins({ GIT_COMMIT: MERGE_REF, BUILD_NUMBER: '13' }),
    );
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stderr).toContain(
      `the check goes on pull request #7's head ${HEAD.slice(0, 12)}`,
    );
    expect(github.checkRuns.map((check) => [check.head_sha, check.conclusion])).toEqual([
      [OLD_HEAD, 'success'],
      [HEAD, 'success'],
    ]);
    expect(github.violations).toEqual([]);
  });

  it('a GitHub that refuses the token is a warning that says what to fix: the verdict still decides', async () => {
    const run = await gate('refund-reliability', jenkins({ GATE_GITHUB_TOKEN: 'ghp_revoked' }));
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('warning: The gate cannot report a check or a commit status');
    expect(run.stderr).toContain('Bad credentials');
    expect(run.stderr).toContain(
      'Set GATE_GITHUB_TOKEN to a GitHub App installation token with `checks: write`',
    );
    expect(run.stderr).not.toContain('permissions:');
    expect(github.checkRuns).toHaveLength(0);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^pass: /);
  });

  it('needs a repository to report on: outside a CI that names one, --repository, said before any call', async () => {
    const run = await gate('refund-reliability', {
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
      GATE_GITHUB_TOKEN: FAKE_GITHUB_TOKEN,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'GATE_GITHUB_TOKEN is set, but no CI names the GitHub repository to report on; set --repository owner/name',
    );
    expect(sepurux.requests).toHaveLength(0);
  });

  it('completes the required check as failed on an input error, saying what to fix in flag words', async () => {
    const run = await gate('refund-reliability', jenkins(), ['--min-pass-rate', '85']);
    expect(run.exitCode).toBe(2);
    expect(github.checkRuns[0]).toMatchObject({
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'failure',
    });
    expect(seen(github.checkRuns[0]!.output?.summary ?? '')).toContain('--min-pass-rate');
    expect(seen(comments()[0]!.body)).toContain('--min-pass-rate');
  });
});

describe('one reporting module for both doors', () => {
  it("the command line's bundle reports on GitHub with no Actions runtime in it; the action's holds it", async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const bundle = async (dir: string) =>
      (
        await Promise.all(
          (await readdir(dir))
            .filter((f) => f.endsWith('.js'))
            .map((f) => readFile(`${dir}/${f}`, 'utf8')),
        )
      ).join('\n');
    const [cli, action] = await Promise.all([bundle('dist/cli'), bundle('dist')]);
    // @actions/core's own markers: the OIDC request variable and the state file.
    for (const marker of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'GITHUB_STATE']) {
      expect(action, marker).toContain(marker);
      expect(cli, marker).not.toContain(marker);
    }
    // The shared reporter is in both: the same check and comment code.
    expect(cli).toContain('The CI built ');
    expect(action).toContain('The CI built ');
  });
});

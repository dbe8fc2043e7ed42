import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { braintrustStandIn } from '../support/braintrust-stand-in.js';
import { FAKE_BRAINTRUST_TOKEN, FakeBraintrust, rowsOf } from '../support/fake-braintrust.js';
import { FAKE_GITLAB_TOKEN, FakeGitLab, GATE_BOT } from '../support/fake-gitlab.js';
import {
  GITLAB_CI_LOCAL_MISSING,
  GITLAB_CI_LOCAL_SKIPPED,
  LocalGitLabProject,
} from '../support/gitlab-ci-local.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX, REPOSITORY_ROOT } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * examples/ci/braintrust.gitlab-ci.yml, run as GitLab would run it, by gitlab-ci-local (see
 * test/support/gitlab-ci-local.ts): a pipeline of the default branch, whose gate.json artifact
 * becomes the fake GitLab's record of main's pipeline, then a merge request's pipeline whose
 * experiment regresses three dataset records.
 *
 * What differs from the example: its `npx --yes braintrust@3.35.0 eval` is answered by the
 * braintrust stand-in first on the job's PATH (test/support/braintrust-stand-in.ts: it logs the
 * experiment named by BRAINTRUST_EXPERIMENT in the fake Braintrust; every other npx call goes to
 * the real npx); its `npx --yes github:OWNER/agent-reliability-gate#v1` installs the packed
 * tarball instead (`npx --yes file:<tarball>`), offline; and the job's `variables:` get
 * GATE_BASE_URL, the fake Braintrust on 127.0.0.1, which the example leaves to its default.
 * The project holds examples/braintrust/support.eval.js as evals/support.eval.js.
 *
 * The mapping to the fakes, said once: BRAINTRUST_API_KEY is the fake Braintrust's key;
 * GATE_GITLAB_TOKEN is the fake GitLab's project access token; GitLab's own variables are a
 * pipeline's of project 12 on the fake GitLab, the merge request's !42.
 */

const EXAMPLE = 'examples/ci/braintrust.gitlab-ci.yml';
const JOB = 'braintrust-gate';
const missing = GITLAB_CI_LOCAL_MISSING;
const gitlab = new FakeGitLab();
const braintrust = new FakeBraintrust({ experiments: [] });
let servers: ServedHandlers[];
let project: LocalGitLabProject;
// `braintrust eval` logs its experiment in the fake Braintrust, served at servers[0]. Made in
// beforeAll, past the check for the tools: a file whose tests all skip runs no afterAll, so a
// scratch folder made at load would be left behind.
let standIn: { bin: string };

beforeAll(async () => {
  if (missing.length > 0) return;
  standIn = braintrustStandIn(() => servers[0]!.origin);
  servers = await Promise.all([
    serveHandlers(() => braintrust.handlers()),
    serveHandlers(() => gitlab.handlers()),
  ]);
  const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
  const document = parseDocument(
    // `file:`: npx would run a bare absolute path as a command, not install it.
    example.replaceAll(EXAMPLE_GATE_PREFIX, `npx --yes file:${'${TARBALL}'}`),
  );
  document.setIn([JOB, 'variables', 'GATE_BASE_URL'], servers[0]!.origin);
  project = await LocalGitLabProject.create(
    'gitlab-braintrust',
    (tarball) => ({
      '.gitlab-ci.yml': document.toString().replaceAll('${TARBALL}', tarball),
      'evals/support.eval.js': readFileSync(
        join(REPOSITORY_ROOT, 'examples/braintrust/support.eval.js'),
        'utf8',
      ),
      'prompts/support.md': 'You help customers.\n',
    }),
    // The merge request's own commit, on top of main's.
    { 'prompts/support.md': 'You help customers, briefly.\n' },
  );
}, 120_000);
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** The files under `dir` named `name`, by path. */
function find(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? find(full, name) : entry === name ? [full] : [];
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The decisions the job's gate printed (gitlab-ci-local prefixes each line of a job's log with its name and `>`). */
const decisions = (output: string) =>
  [...output.matchAll(new RegExp(`^${escape(JOB)}\\s+> (.*)$`, 'gm'))]
    .map((match) => match[1]!)
    .filter((line) => /^(pass|warn|fail): /.test(line));

/** The job's artifact `name` from the last pipeline, then removed so the next pipeline's is not mistaken for it. */
function artifact(name: string): string {
  const [file] = find(join(project.dir, '.gitlab-ci-local'), name);
  expect(file, `the job's ${name} artifact`).toBeDefined();
  const text = readFileSync(file!, 'utf8');
  rmSync(file!);
  return text;
}

const common = () => ({
  CI_API_V4_URL: gitlab.ciVariables(servers[1]!.origin).CI_API_V4_URL!,
  CI_PROJECT_ID: String(gitlab.projectId),
  CI_JOB_URL: 'https://gitlab.example.com/acme/agents/-/jobs/5005',
  CI_DEFAULT_BRANCH: 'main',
  // gitlab-ci-local says `false`: GitLab says `true`.
  GITLAB_CI: 'true',
  BRAINTRUST_API_KEY: FAKE_BRAINTRUST_TOKEN,
  GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
});

describe.skipIf(missing.length > 0)(
  `${EXAMPLE}, run by gitlab-ci-local from the packed tarball${GITLAB_CI_LOCAL_SKIPPED}`,
  () => {
    it("main's pipeline leaves its verdict; a merge request whose experiment regresses 3 dataset records fails the job, the note and JUnit listing them as new", async () => {
      const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
      expect(example.split(EXAMPLE_GATE_PREFIX).length - 1, 'one gate call').toBe(1);

      // The default branch: a passing experiment, no baseline yet.
      const main = await project.pipeline(
        {
          ...common(),
          CI_PIPELINE_SOURCE: 'push',
          CI_COMMIT_BRANCH: 'main',
          CI_COMMIT_REF_NAME: 'main',
          CI_COMMIT_SHA: project.baseSha!,
        },
        [standIn.bin],
      );
      expect(main.code, main.output).toBe(0);
      expect(main.output).toContain('json schema validated');
      expect(decisions(main.output), main.output).toEqual([
        expect.stringMatching(/^(pass|warn): /),
      ]);
      expect(main.output).toContain('braintrust stand-in: logged experiment');
      // main's gate.json, kept as the job's artifact: GitLab's record of main's pipeline.
      const mainReport = artifact('gate.json');
      expect(JSON.parse(mainReport)).toMatchObject({ headSha: project.baseSha });
      gitlab.seedPipeline('main', project.baseSha!, { [JOB]: { 'gate.json': mainReport } });
      artifact('gate.xml');

      // The merge request: its experiment regresses dataset records 8, 9 and 10.
      braintrust.loggedRows = () => rowsOf(10, 3);
      const mr = await project.pipeline(
        {
          ...common(),
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_MERGE_REQUEST_IID: String(gitlab.mergeRequestIid),
          CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        },
        [standIn.bin],
      );
      expect(project.leftOutOfMergeRequestPipelines()).toEqual([]);
      // gitlab-ci-local's summary: the job failed with exit status 1 (a regression), which
      // `allow_failure: exit_codes: [3]` does not let pass.
      expect(mr.output).toMatch(new RegExp(`${escape(JOB)}\\s+finished in .*FAIL 1`));
      expect(mr.output).toMatch(new RegExp(`FAIL\\s+${escape(JOB)}`));
      expect(decisions(mr.output), mr.output).toEqual([expect.stringMatching(/^fail: /)]);
      // Two experiments logged, one per pipeline, each read by its own gate.
      expect(
        braintrust.requests.filter((r) => r.method === 'POST' && r.path === '/v1/experiment'),
      ).toHaveLength(2);
      expect(braintrust.violations).toEqual([]);
      // Compared with main's artifact, read through GATE_GITLAB_TOKEN.
      expect(
        gitlab.requests.some((r) =>
          /^\/projects\/12\/jobs\/\d+\/artifacts\/gate\.json$/.test(r.path),
        ),
      ).toBe(true);

      const notes = gitlab.notesBy(GATE_BOT);
      expect(notes).toHaveLength(1);
      const seen = render(notes[0]!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain('Braintrust Gate: fail');
      expect(seen).toContain('Failing cases (3 of 10; 3 new)');
      for (const record of ['question 8', 'question 9', 'question 10'])
        expect(seen).toContain(record);
      expect(seen).toContain(`new: passed on ${project.baseSha!.slice(0, 7)}`);

      const parsed = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (name) => ['testsuite', 'testcase'].includes(name),
      }).parse(artifact('gate.xml')) as {
        testsuites: { testsuite: { testcase: { name: string; failure?: unknown }[] }[] };
      };
      const failing = parsed.testsuites.testsuite
        .flatMap((suite) => suite.testcase)
        .filter((c) => c.failure !== undefined)
        .map((c) => c.name)
        .join('\n');
      for (const record of ['question 8', 'question 9', 'question 10'])
        expect(failing).toContain(record);
      expect(failing).not.toContain('question 7');
      for (const run of [main, mr]) {
        expect(run.output).not.toContain(FAKE_BRAINTRUST_TOKEN);
        expect(run.output).not.toContain(FAKE_GITLAB_TOKEN);
      }
    }, 300_000);
  },
);

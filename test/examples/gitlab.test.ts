import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { FAKE_GITLAB_TOKEN, FakeGitLab, GATE_BOT } from '../support/fake-gitlab.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  GITLAB_CI_LOCAL_MISSING,
  GITLAB_CI_LOCAL_SKIPPED,
  LocalGitLabProject,
} from '../support/gitlab-ci-local.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX, REPOSITORY_ROOT } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * examples/ci/matrix.gitlab-ci.yml, run as GitLab would run it, by gitlab-ci-local (see
 * test/support/gitlab-ci-local.ts): its `parallel: matrix` legs, then the aggregate job with the
 * legs' report artifacts, in a merge-request pipeline. (examples/ci/.gitlab-ci.yml, the
 * component's example, runs in test/e2e/gitlab-pipeline.test.ts.)
 *
 * What differs from the example: its `npx --yes github:OWNER/agent-reliability-gate#v1`
 * installs the packed tarball instead (`npx --yes file:<tarball>`), offline; and each job that
 * calls Sepurux (its `variables:` set GATE_TOKEN) also gets GATE_BASE_URL, the fake Sepurux on
 * 127.0.0.1, which the example leaves to its default, the public Sepurux (not the aggregate job,
 * which calls no backend and refuses it, as it refuses GATE_TOKEN).
 *
 * The mapping to the fakes, said once: the masked CI/CD variables the example names,
 * SEPURUX_API_KEY and SEPURUX_PROJECT_ID, are FAKE_TOKEN and FAKE_PROJECT_ID; GATE_GITLAB_TOKEN
 * is the fake GitLab's project access token; GitLab's own variables are a merge-request
 * pipeline's on the fake GitLab (merge request !42 of project 12).
 */

const EXAMPLE = 'examples/ci/matrix.gitlab-ci.yml';
const AGENTS = ['refunds', 'support', 'billing'];
const missing = GITLAB_CI_LOCAL_MISSING;
const gitlab = new FakeGitLab();
const sepurux = new FakeSepurux();
let servers: ServedHandlers[];
let project: LocalGitLabProject;

beforeAll(async () => {
  if (missing.length > 0) return;
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => gitlab.handlers()),
  ]);
  const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
  project = await LocalGitLabProject.create('gitlab-matrix', (tarball) => ({
    // `file:`: npx would run a bare absolute path as a command, not install it.
    '.gitlab-ci.yml': withBaseUrl(
      example.replaceAll(EXAMPLE_GATE_PREFIX, `npx --yes file:${tarball}`),
      servers[0]!.origin,
    ),
  }));
}, 120_000);
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** The pipeline with GATE_BASE_URL beside each GATE_TOKEN a job's `variables:` set. */
function withBaseUrl(text: string, origin: string): string {
  const document = parseDocument(text);
  const jobs = Object.entries(
    parse(text) as Record<string, { variables?: Record<string, unknown> } | null>,
  ).filter(([, job]) => job?.variables && 'GATE_TOKEN' in job.variables);
  expect(jobs.length, 'the jobs that call Sepurux').toBeGreaterThan(0);
  for (const [name] of jobs) document.setIn([name, 'variables', 'GATE_BASE_URL'], origin);
  return document.toString();
}

/** The files under `dir` named `name`, by path. */
function find(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? find(full, name) : entry === name ? [full] : [];
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What one job printed: gitlab-ci-local prefixes each line of a job's log with its name (padded) and `>`. */
const jobLines = (output: string, job: string) =>
  [...output.matchAll(new RegExp(`^${escape(job)}\\s+> (.*)$`, 'gm'))].map((match) => match[1]!);
/** The decisions a job's gate printed (its stdout's last line; the log interleaves stdout with the progress on stderr). */
const decisions = (lines: string[]) => lines.filter((line) => /^(pass|warn|fail): /.test(line));

describe.skipIf(missing.length > 0)(
  `${EXAMPLE}, run by gitlab-ci-local from the packed tarball${GITLAB_CI_LOCAL_SKIPPED}`,
  () => {
    it('each leg gates its own agent and reports nothing; the aggregate pools the three reports into one passing verdict and one note', async () => {
      const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
      expect(
        example.split(EXAMPLE_GATE_PREFIX).length - 1,
        'the example runs the gate in each leg and in the aggregate',
      ).toBe(2);
      const run = await project.pipeline({
        ...gitlab.ciVariables(servers[1]!.origin),
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        CI_DEFAULT_BRANCH: 'main',
        // gitlab-ci-local says `false`: GitLab says `true`.
        GITLAB_CI: 'true',
        SEPURUX_API_KEY: FAKE_TOKEN,
        SEPURUX_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('json schema validated');
      // GitLab itself would put every job in this merge-request pipeline (gitlab-ci-local does not check).
      expect(
        project.leftOutOfMergeRequestPipelines(),
        'jobs GitLab leaves out of a merge-request pipeline',
      ).toEqual([]);

      for (const agent of AGENTS) {
        const leg = `eval: [${agent}]`;
        expect(run.output).toMatch(new RegExp(`PASS\\s+${escape(leg)}`));
        const lines = jobLines(run.output, leg);
        expect(decisions(lines), `${leg}:\n${lines.join('\n')}`).toEqual([
          expect.stringMatching(/^pass: Sepurux decided pass/),
        ]);
        expect(lines.join('\n')).toContain(
          'This is one shard of a matrix: nothing is reported here',
        );
      }
      const aggregate = jobLines(run.output, 'reliability-gate');
      expect(run.output).toMatch(/PASS\s+reliability-gate/);
      expect(decisions(aggregate), aggregate.join('\n')).toEqual([
        expect.stringMatching(/^pass: /),
      ]);

      // Each leg recorded and gated its own agent's trace: three traces, three runs.
      expect(
        [...sepurux.traces.values()].map((trace) => (trace as { agent: string }).agent).sort(),
      ).toEqual([...AGENTS].sort());
      expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(3);
      expect(
        sepurux
          .requestsTo('POST', '/v1/ci/runs')
          .every((r) => (r.body as { pull_request_number?: number }).pull_request_number === 42),
      ).toBe(true);

      // One note, by the aggregate, a row per shard.
      const notes = gitlab.notesBy(GATE_BOT);
      expect(notes).toHaveLength(1);
      const seen = render(notes[0]!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain('Sepurux Reliability Gate: pass');
      for (const agent of AGENTS) expect(seen).toContain(agent);

      // The aggregate's JUnit report, GitLab's test report of the merge request: a test case per shard, none failing.
      const [xml] = find(join(project.dir, '.gitlab-ci-local'), 'gate.xml');
      expect(xml, "the aggregate job's gate.xml artifact").toBeDefined();
      const parsed = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (name) => ['testsuite', 'testcase'].includes(name),
      }).parse(readFileSync(xml!, 'utf8')) as {
        testsuites: { testsuite: { testcase: { name: string; failure?: unknown }[] }[] };
      };
      const cases = parsed.testsuites.testsuite.flatMap((suite) => suite.testcase);
      for (const agent of AGENTS) expect(cases.map((c) => c.name).join('\n')).toContain(agent);
      expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
      expect(find(join(project.dir, '.gitlab-ci-local'), 'gate.md').length).toBeGreaterThan(0);

      expect(run.output).not.toContain(FAKE_TOKEN);
      expect(run.output).not.toContain(FAKE_GITLAB_TOKEN);
    }, 180_000);

    it('an outage is not a regression: runs Sepurux could not evaluate exit 3 in each leg and in the aggregate, which the example lets pass with a warning', async () => {
      const campaign = sepurux.campaign('refund-reliability');
      campaign.draw = () => ({ status: 'failed' });
      try {
        const run = await project.pipeline({
          ...gitlab.ciVariables(servers[1]!.origin),
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
          CI_DEFAULT_BRANCH: 'main',
          GITLAB_CI: 'true',
          SEPURUX_API_KEY: FAKE_TOKEN,
          SEPURUX_PROJECT_ID: FAKE_PROJECT_ID,
          GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
        });
        // Allowed to fail on 3 only: the pipeline passes, each job warned.
        expect(run.code, run.output).toBe(0);
        for (const job of [...AGENTS.map((agent) => `eval: [${agent}]`), 'reliability-gate']) {
          // gitlab-ci-local's summary: the job warned, with exit status 3.
          expect(run.output, job).toMatch(new RegExp(`${escape(job)}\\s+finished in .*WARN 3`));
          expect(decisions(jobLines(run.output, job)), job).toEqual([
            expect.stringMatching(/^fail: .*could not evaluate/),
          ]);
        }
      } finally {
        delete campaign.draw;
      }
    }, 180_000);
  },
);

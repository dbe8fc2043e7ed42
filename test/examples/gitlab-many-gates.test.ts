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
 * examples/ci/many-gates.gitlab-ci.yml, run as GitLab would run it, by gitlab-ci-local, in a
 * merge-request pipeline of a repository of three agents whose merge request changes one:
 * examples/reliability-gates.yml as its .github/reliability-gates.yml, main's commit as
 * CI_MERGE_REQUEST_DIFF_BASE_SHA. The mapping to the fakes is examples/gitlab.test.ts's: the
 * packed tarball for `npx`, GATE_BASE_URL the fake Sepurux, the masked variables the fakes'.
 */

const EXAMPLE = 'examples/ci/many-gates.gitlab-ci.yml';
const missing = GITLAB_CI_LOCAL_MISSING;
const gitlab = new FakeGitLab();
const sepurux = new FakeSepurux();
// The world's agents pass; billing's campaign fails here.
sepurux.campaign('billing-reliability').outcome = {
  ...sepurux.campaign('checkout-regression').outcome,
};
let servers: ServedHandlers[];
let project: LocalGitLabProject;

beforeAll(async () => {
  if (missing.length > 0) return;
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => gitlab.handlers()),
  ]);
  const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
  const document = parseDocument(
    example.replaceAll(EXAMPLE_GATE_PREFIX, `npx --yes file:${'${TARBALL}'}`),
  );
  document.setIn(['reliability-gates', 'variables', 'GATE_BASE_URL'], servers[0]!.origin);
  project = await LocalGitLabProject.create(
    'gitlab-many-gates',
    (tarball) => ({
      '.gitlab-ci.yml': document.toString().replaceAll('${TARBALL}', tarball),
      '.github/reliability-gates.yml': readFileSync(
        join(REPOSITORY_ROOT, 'examples/reliability-gates.yml'),
        'utf8',
      ),
      'agents/support/prompt.md': 'You help customers.\n',
      'agents/billing/prompt.md': 'You bill.\n',
    }),
    // The merge request's own commit: it changes the support agent alone.
    { 'agents/support/prompt.md': 'You help customers, politely.\n' },
  );
}, 120_000);
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

function find(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? find(full, name) : entry === name ? [full] : [];
  });
}

describe.skipIf(missing.length > 0)(
  `${EXAMPLE}, run by gitlab-ci-local from the packed tarball${GITLAB_CI_LOCAL_SKIPPED}`,
  () => {
    it('evaluates only the agent the merge request changes; one note and a JUnit suite per agent', async () => {
      expect(parse(readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8'))).toHaveProperty(
        'reliability-gates',
      );
      const run = await project.pipeline({
        ...gitlab.ciVariables(servers[1]!.origin),
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: project.baseSha!,
        CI_DEFAULT_BRANCH: 'main',
        GITLAB_CI: 'true',
        SEPURUX_API_KEY: FAKE_TOKEN,
        SEPURUX_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('1 of 3 gates ran, chosen by the 1 file changed since');
      // Billing's campaign fails, but the change does not reach it: it is not evaluated.
      expect(sepurux.requestsTo('POST', '/v1/ci/runs')).toHaveLength(1);
      const notes = gitlab.notesBy(GATE_BOT);
      expect(notes).toHaveLength(1);
      const seen = render(notes[0]!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain('Reliability gates: pass');
      expect(seen).toContain('support-agent');
      expect(seen).toMatch(/Not affected \(2;[\s\S]*billing-agent[\s\S]*refunds-agent/);

      const [xml] = find(join(project.dir, '.gitlab-ci-local'), 'gate.xml');
      expect(xml, "the job's gate.xml artifact").toBeDefined();
      const parsed = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (name) => ['testsuite', 'testcase'].includes(name),
      }).parse(readFileSync(xml!, 'utf8')) as {
        testsuites: {
          testsuite: {
            name: string;
            skipped: string;
            testcase: { name: string; failure?: unknown; skipped?: unknown }[];
          }[];
        };
      };
      const suites = parsed.testsuites.testsuite;
      expect(suites.map((s) => s.name)).toEqual([
        'Reliability gates / support-agent',
        'Reliability gates / billing-agent',
        'Reliability gates / refunds-agent',
      ]);
      expect(suites[0]!.testcase.filter((c) => c.failure !== undefined)).toEqual([]);
      expect(suites[1]!.testcase[0]!.skipped).toBeDefined();
      expect(run.output).not.toContain(FAKE_TOKEN);
    }, 180_000);
  },
);

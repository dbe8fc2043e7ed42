import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITLAB_TOKEN, FakeGitLab, GATE_BOT } from '../support/fake-gitlab.js';
import {
  GITLAB_CI_LOCAL_MISSING,
  GITLAB_CI_LOCAL_SKIPPED,
  LocalGitLabProject,
} from '../support/gitlab-ci-local.js';
import { PROMPTFOO_FILES, PROMPTFOO_RESULTS } from '../support/promptfoo.js';
import { type PromptfooStandIn, promptfooStandIn } from '../support/promptfoo-stand-in.js';
import { render } from '../support/render.js';
import { EXAMPLE_GATE_PREFIX, REPOSITORY_ROOT } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

/**
 * examples/ci/promptfoo.gitlab-ci.yml, run as GitLab would run it, by gitlab-ci-local (see
 * test/support/gitlab-ci-local.ts), in a merge-request pipeline.
 *
 * What differs from the example: its `npx --yes promptfoo@0.123.1 eval` is answered by the
 * promptfoo stand-in first on the job's PATH (test/support/promptfoo-stand-in.ts: it writes a
 * results file the real promptfoo wrote; every other npx call goes to the real npx), and its
 * `npx --yes github:OWNER/agent-reliability-gate#v1` installs the packed tarball instead
 * (`npx --yes file:<tarball>`), offline. The project holds examples/promptfoo/promptfooconfig.yaml
 * at its root, where the example's promptfoo reads it.
 *
 * The mapping to the fakes, said once: GATE_GITLAB_TOKEN is the fake GitLab's project access
 * token; OPENAI_API_KEY, which promptfoo's provider would read, is not needed by the stand-in and
 * not set; GitLab's own variables are a merge-request pipeline's on the fake GitLab (merge
 * request !42 of project 12).
 */

const EXAMPLE = 'examples/ci/promptfoo.gitlab-ci.yml';
const missing = GITLAB_CI_LOCAL_MISSING;
const gitlab = new FakeGitLab();
// Made where the pipeline runs, not when the file loads: a file whose tests all skip (no rsync)
// runs no afterAll, so a scratch folder made at load would be left in $TMPDIR.
let standIn: PromptfooStandIn;
let server: ServedHandlers | undefined;
let project: LocalGitLabProject;

beforeAll(async () => {
  if (missing.length > 0) return;
  standIn = promptfooStandIn('pass');
  server = await serveHandlers(() => gitlab.handlers());
  const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
  project = await LocalGitLabProject.create('gitlab-promptfoo', (tarball) => ({
    // `file:`: npx would run a bare absolute path as a command, not install it.
    '.gitlab-ci.yml': example.replaceAll(EXAMPLE_GATE_PREFIX, `npx --yes file:${tarball}`),
    'promptfooconfig.yaml': readFileSync(
      join(REPOSITORY_ROOT, 'examples/promptfoo/promptfooconfig.yaml'),
      'utf8',
    ),
  }));
}, 120_000);
afterAll(async () => server?.close());

/** The files under `dir` named `name`, by path. */
function find(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? find(full, name) : entry === name ? [full] : [];
  });
}

describe.skipIf(missing.length > 0)(
  `${EXAMPLE}, run by gitlab-ci-local from the packed tarball${GITLAB_CI_LOCAL_SKIPPED}`,
  () => {
    it('runs promptfoo, then the gate on the results file it wrote: one passing verdict, one note, a JUnit report', async () => {
      const example = readFileSync(join(REPOSITORY_ROOT, EXAMPLE), 'utf8');
      expect(example.split(EXAMPLE_GATE_PREFIX).length - 1, 'one gate call').toBe(1);
      const run = await project.pipeline(
        {
          ...gitlab.ciVariables(server!.origin),
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
          CI_DEFAULT_BRANCH: 'main',
          // gitlab-ci-local says `false`: GitLab says `true`.
          GITLAB_CI: 'true',
          GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
        },
        [standIn.bin],
      );
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('json schema validated');
      expect(project.leftOutOfMergeRequestPipelines()).toEqual([]);
      expect(run.output).toMatch(/PASS\s+promptfoo-gate/);
      expect(run.output).toMatch(/promptfoo-gate\s+> pass: /);

      // The job's promptfoo ran once, through the stand-in, and its file is the job's artifact.
      expect(standIn.evals().map((e) => [e.args.slice(0, 3), e.outputs])).toEqual([
        [['--yes', 'promptfoo@0.123.1', 'eval'], ['results.json']],
      ]);
      const [results] = find(join(project.dir, '.gitlab-ci-local'), 'results.json');
      expect(readFileSync(results!, 'utf8')).toBe(
        readFileSync(join(PROMPTFOO_RESULTS, PROMPTFOO_FILES.pass), 'utf8'),
      );

      const notes = gitlab.notesBy(GATE_BOT);
      expect(notes).toHaveLength(1);
      expect(render(notes[0]!.body).text.replaceAll('\u200d', '')).toContain(
        'promptfoo Gate: pass',
      );
      const [xml] = find(join(project.dir, '.gitlab-ci-local'), 'gate.xml');
      expect(xml, "the job's gate.xml artifact").toBeDefined();
      const parsed = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (name) => ['testsuite', 'testcase'].includes(name),
      }).parse(readFileSync(xml!, 'utf8')) as {
        testsuites: { testsuite: { testcase: { name: string; failure?: unknown }[] }[] };
      };
      const cases = parsed.testsuites.testsuite.flatMap((suite) => suite.testcase);
      expect(cases.length).toBeGreaterThan(0);
      expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
      expect(run.output).not.toContain(FAKE_GITLAB_TOKEN);
    }, 180_000);
  },
);

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITLAB_TOKEN, FakeGitLab, GATE_BOT } from '../support/fake-gitlab.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  GITLAB_CI_LOCAL_MISSING,
  GITLAB_CI_LOCAL_SKIPPED,
  LocalGitLabProject,
} from '../support/gitlab-ci-local.js';
import { render } from '../support/render.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

/**
 * The GitLab example, run as GitLab would run it, by gitlab-ci-local (shell executor, see
 * test/support/gitlab-ci-local.ts): GitLab's CI schema, `spec: inputs` interpolation, stages and
 * artifacts. Two lines differ from the example, both in its `include`: the component comes from
 * this checkout (`local:`), since gitlab-ci-local cannot reach a GitLab instance's catalog, and
 * its `package` is the packed tarball, offline. The secrets are variables, as a project's masked
 * CI/CD variables are.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = GITLAB_CI_LOCAL_MISSING;
const gitlab = new FakeGitLab();
const sepurux = new FakeSepurux();
let servers: ServedHandlers[];
let project: LocalGitLabProject;

beforeAll(async () => {
  if (missing.length > 0) return;
  // The third is object storage, another origin, where GitLab may redirect artifact downloads.
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => gitlab.handlers()),
    serveHandlers(() => gitlab.objectStorageHandlers()),
  ]);
  const example = await readFile(join(root, 'examples/ci/.gitlab-ci.yml'), 'utf8');
  const component = await readFile(join(root, 'templates/gate.yml'), 'utf8');
  project = await LocalGitLabProject.create('gitlab-pipeline', (tarball) => {
    const local = example.replace(
      /- component: \S+\n(\s+)inputs:\n/,
      (_, indent: string) =>
        `- local: templates/gate.yml\n${indent}inputs:\n${indent}  package: ${tarball}\n`,
    );
    expect(local).not.toBe(example);
    return {
      'templates/gate.yml': component,
      '.gitlab-ci.yml': local,
    };
  });
}, 120_000);
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** main's last verdict, as the gate job there left it: the report file it keeps as its gate.json artifact. */
async function mainVerdict(): Promise<string> {
  const main = scratchDir('gitlab-main');
  const before = await runCli(
    [
      '--trace-file',
      join(root, 'examples/traces/refund_flow.json'),
      '--campaign-name',
      'refund-reliability',
      '--report',
      join(main, 'gate.json'),
    ],
    {
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'acme/agents',
      CI_COMMIT_SHA: 'a'.repeat(40),
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
    },
  );
  expect(before.exitCode, before.stderr).toBe(0);
  return readFile(join(main, 'gate.json'), 'utf8');
}

/** One merge-request pipeline of the example, as GitLab would run it. */
async function pipeline() {
  return project.pipeline({
    ...gitlab.ciVariables(servers[1]!.origin),
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    CI_JOB_TOKEN: gitlab.jobToken,
    // gitlab-ci-local says `false`: GitLab says `true`.
    GITLAB_CI: 'true',
    GATE_TOKEN: FAKE_TOKEN,
    GATE_PROJECT_ID: FAKE_PROJECT_ID,
    GATE_BASE_URL: servers[0]!.origin,
    GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
  });
}

describe.skipIf(missing.length > 0)(
  `the GitLab example, run by gitlab-ci-local from the packed tarball${GITLAB_CI_LOCAL_SKIPPED}`,
  () => {
    it("validates against GitLab's schema, gates the merge request, compares with main's artifact and keeps one note", async () => {
      const mainReport = await mainVerdict();
      gitlab.artifacts.set('main/gate.json?job=reliability-gate', mainReport);
      // The same, as main's pipeline: the history the note reads with GATE_GITLAB_TOKEN.
      gitlab.seedPipeline('main', 'a'.repeat(40), {
        'reliability-gate': { 'gate.json': mainReport },
      });

      const first = await pipeline();
      expect(first.code, first.output).toBe(0);
      expect(first.output).toContain('json schema validated');
      expect(first.output).toMatch(/PASS\s+record-trace/);
      expect(first.output).toMatch(/PASS\s+reliability-gate/);
      // GitLab itself would put every job in this merge-request pipeline (gitlab-ci-local does not check).
      expect(project.leftOutOfMergeRequestPipelines()).toEqual([]);
      expect(first.output).toContain('Noted the verdict on merge request !42.');
      expect(first.output).not.toContain(FAKE_GITLAB_TOKEN);
      expect(first.output).not.toContain(FAKE_TOKEN);
      // The trace came from the earlier stage's artifact; the merge request from GitLab's variables.
      expect(sepurux.requestsTo('POST', '/v1/ci/runs').at(-1)?.body).toMatchObject({
        repo: 'acme/agents',
        pull_request_number: 42,
      });
      const notes = gitlab.notesBy(GATE_BOT);
      expect(notes).toHaveLength(1);
      const seen = render(notes[0]!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain('Sepurux Reliability Gate: pass');
      // Compared with main's artifact: the baseline's figures and each delta.
      expect(seen).toContain(`Base ${'a'.repeat(7)} (pass)`);
      expect(seen).toMatch(/Pass rate drop\s+0\s+—\s+—\s+≤ 0\.05 \(--max-pass-rate-drop\)/);
      expect(
        gitlab.requests.some((r) =>
          r.path.startsWith(`/projects/${gitlab.projectId}/jobs/artifacts/main/raw/gate.json`),
        ),
      ).toBe(true);
      expect(seen).toMatch(
        /Base branch \(pass rate, its one comparable verdict\): 0\.92; this change: 0\.92\./,
      );
      // Two points are no trend: no chart.
      expect(notes[0]!.body).not.toContain('```mermaid');

      const second = await pipeline();
      expect(second.code, second.output).toBe(0);
      expect(second.output).toContain("Updated the gate's note on merge request !42.");
      expect(gitlab.notesBy(GATE_BOT)).toHaveLength(1);
    }, 180_000);

    it("follows GitLab's redirect to object storage without CI_JOB_TOKEN, and still reads main's artifact as the baseline", async () => {
      // main's verdict is only the artifact the component downloads: no pipeline history to fall back on.
      gitlab.pipelines.length = 0;
      gitlab.artifacts.set('main/gate.json?job=reliability-gate', await mainVerdict());
      gitlab.objectStorage = servers[2]!.origin;
      gitlab.storageRequests.length = 0;
      try {
        const run = await pipeline();
        expect(run.code, run.output).toBe(0);
        // GitLab saw the token and answered with a redirect; object storage got the download, without it.
        expect(
          gitlab.requests.some((r) =>
            r.path.startsWith(`/projects/${gitlab.projectId}/jobs/artifacts/main/raw/gate.json`),
          ),
        ).toBe(true);
        const downloads = gitlab.storageRequests.filter((r) =>
          r.path.startsWith('/gitlab-artifacts/'),
        );
        expect(downloads.length, run.output).toBeGreaterThan(0);
        for (const download of downloads) {
          expect(download.headers['job-token']).toBeUndefined();
          expect(JSON.stringify(download.headers)).not.toContain(gitlab.jobToken);
          expect(JSON.stringify(download.headers)).not.toContain(FAKE_GITLAB_TOKEN);
        }
        const seen = render(gitlab.notesBy(GATE_BOT).at(-1)!.body).text.replaceAll('\u200d', '');
        expect(seen).toContain(`Base ${'a'.repeat(7)} (pass)`);
        expect(seen).toMatch(/Pass rate drop\s+0\s+—\s+—\s+≤ 0\.05 \(--max-pass-rate-drop\)/);
      } finally {
        gitlab.objectStorage = undefined;
      }
    }, 180_000);

    it('compares with nothing, said, when main has no artifact yet: the component names no --baseline-report it could not fetch', async () => {
      // The project's first merge request: no pipeline of main has run the gate.
      gitlab.pipelines.length = 0;
      gitlab.artifacts.delete('main/gate.json?job=reliability-gate');
      const run = await pipeline();
      // A --baseline-report naming a file that is not there would be bad input (exit 2).
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/PASS\s+reliability-gate/);
      expect(run.output).not.toContain('Flag --baseline-report');
      const seen = render(gitlab.notesBy(GATE_BOT).at(-1)!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain('nothing was compared for --max-pass-rate-drop');
    }, 180_000);
  },
);

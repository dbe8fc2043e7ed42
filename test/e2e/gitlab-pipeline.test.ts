import { execFile, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITLAB_TOKEN, FakeGitLab, GATE_BOT } from '../support/fake-gitlab.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { render } from '../support/render.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

/**
 * The GitLab example, run as GitLab would run it, by gitlab-ci-local (shell executor): GitLab's
 * CI schema, `spec: inputs` interpolation, stages and artifacts. Two lines differ from the
 * example, both in its `include`: the component comes from this checkout (`local:`), since
 * gitlab-ci-local cannot reach a GitLab instance's catalog, and its `package` is the packed
 * tarball, offline. The secrets are variables, as a project's masked CI/CD variables are.
 *
 * gitlab-ci-local needs Node 22 or later (`Set.prototype.union`) and rsync; CI has both
 * (`GITLAB_CI_LOCAL_REQUIRED=1` makes their absence a failure there, not a skip).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const node = process.env.GATE_E2E_NODE || process.execPath;
const nodeMajor = Number(/^v(\d+)/.exec(spawnSync(node, ['--version']).stdout.toString())?.[1] ?? 0);
const rsync = spawnSync('rsync', ['--version']).status === 0;
const missing = [nodeMajor < 22 ? `Node 22 or later (this is ${nodeMajor})` : '', rsync ? '' : 'rsync'].filter(Boolean);
if (missing.length > 0 && process.env.GITLAB_CI_LOCAL_REQUIRED === '1') throw new Error(`gitlab-ci-local is required (GITLAB_CI_LOCAL_REQUIRED=1) but needs ${missing.join(' and ')}`);

const GITLAB_CI_LOCAL = join(root, 'node_modules/gitlab-ci-local/dist/index.js');
const gitlab = new FakeGitLab();
const sepurux = new FakeSepurux();
let servers: ServedHandlers[];
let project: string;
let scratch: string;

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const env = { PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, HOME: scratch, TMPDIR: scratch, NODE_COMPILE_CACHE: join(scratch, 'compile-cache') };
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }));
  });
}

beforeAll(async () => {
  if (missing.length > 0) return;
  // The third is object storage, another origin, where GitLab may redirect artifact downloads.
  servers = await Promise.all([serveHandlers(() => sepurux.handlers()), serveHandlers(() => gitlab.handlers()), serveHandlers(() => gitlab.objectStorageHandlers())]);
  scratch = scratchDir('gitlab-pipeline');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', scratch], root);
  expect(packed.code, packed.output).toBe(0);
  const tarball = join(scratch, (JSON.parse(packed.output.slice(packed.output.indexOf('['))) as { filename: string }[])[0]!.filename);
  project = join(scratch, 'project');
  await mkdir(join(project, 'templates'), { recursive: true });
  await mkdir(join(project, 'examples'), { recursive: true });
  await copyFile(join(root, 'templates/gate.yml'), join(project, 'templates/gate.yml'));
  await copyFile(join(root, 'examples/record-trace.mjs'), join(project, 'examples/record-trace.mjs'));
  const example = await readFile(join(root, 'examples/ci/.gitlab-ci.yml'), 'utf8');
  const local = example.replace(/- component: \S+\n(\s+)inputs:\n/, (_, indent: string) => `- local: templates/gate.yml\n${indent}inputs:\n${indent}  package: ${tarball}\n`);
  expect(local).not.toBe(example);
  await writeFile(join(project, '.gitlab-ci.yml'), local);
  for (const args of [['init', '-q', '-b', 'feature'], ['remote', 'add', 'origin', 'https://gitlab.example.com/acme/agents.git'], ['add', '-A'], ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'agent change']]) {
    const git = await run('git', args, project);
    expect(git.code, git.output).toBe(0);
  }
}, 120_000);
afterAll(async () => Promise.all((servers ?? []).map((s) => s.close())));

/** main's last verdict, as the gate job there left it: the report file it keeps as its gate.json artifact. */
async function mainVerdict(): Promise<string> {
  const main = scratchDir('gitlab-main');
  const before = await runCli(['--trace-file', join(root, 'examples/traces/refund_flow.json'), '--campaign-name', 'refund-reliability', '--report', join(main, 'gate.json')], {
    GITLAB_CI: 'true',
    CI_PROJECT_PATH: 'acme/agents',
    CI_COMMIT_SHA: 'a'.repeat(40),
    GATE_TOKEN: FAKE_TOKEN,
    GATE_PROJECT_ID: FAKE_PROJECT_ID,
    GATE_BASE_URL: servers[0]!.origin,
  });
  expect(before.exitCode, before.stderr).toBe(0);
  return readFile(join(main, 'gate.json'), 'utf8');
}

/** One merge-request pipeline of the example, as GitLab would run it. */
async function pipeline() {
  const variables = {
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
    // npx installs the tarball from its path; nothing may come from the registry.
    npm_config_offline: 'true',
    npm_config_cache: join(scratch, 'npm-cache'),
  };
  const overridden = Object.keys(variables).filter((name) => name.startsWith('CI_') || name === 'GITLAB_CI');
  const args = [GITLAB_CI_LOCAL, '--force-shell-executor', '--no-color', '--ignore-predefined-vars', overridden.join(','), ...Object.entries(variables).flatMap(([name, value]) => ['--variable', `${name}=${value}`])];
  return run(node, args, project);
}

describe.skipIf(missing.length > 0)(`the GitLab example, run by gitlab-ci-local from the packed tarball${missing.length ? ` (skipped: needs ${missing.join(' and ')})` : ''}`, () => {
  it('validates against GitLab\'s schema, gates the merge request, compares with main\'s artifact and keeps one note', async () => {
    // main's last verdict, as the gate job there left it: its gate.json artifact.
    const main = scratchDir('gitlab-main');
    const before = await runCli(['--trace-file', join(root, 'examples/traces/refund_flow.json'), '--campaign-name', 'refund-reliability', '--report', join(main, 'gate.json')], {
      GITLAB_CI: 'true',
      CI_PROJECT_PATH: 'acme/agents',
      CI_COMMIT_SHA: 'a'.repeat(40),
      GATE_TOKEN: FAKE_TOKEN,
      GATE_PROJECT_ID: FAKE_PROJECT_ID,
      GATE_BASE_URL: servers[0]!.origin,
    });
    expect(before.exitCode, before.stderr).toBe(0);
    const mainReport = await readFile(join(main, 'gate.json'), 'utf8');
    gitlab.artifacts.set('main/gate.json?job=reliability-gate', mainReport);
    // The same, as main's pipeline: the history the note reads with GATE_GITLAB_TOKEN.
    gitlab.seedPipeline('main', 'a'.repeat(40), { 'reliability-gate': { 'gate.json': mainReport } });

    const first = await pipeline();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('json schema validated');
    expect(first.output).toMatch(/PASS\s+record-trace/);
    expect(first.output).toMatch(/PASS\s+reliability-gate/);
    expect(first.output).toContain('Noted the verdict on merge request !42.');
    expect(first.output).not.toContain(FAKE_GITLAB_TOKEN);
    expect(first.output).not.toContain(FAKE_TOKEN);
    // The trace came from the earlier stage's artifact; the merge request from GitLab's variables.
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').at(-1)?.body).toMatchObject({ repo: 'acme/agents', pull_request_number: 42 });
    const notes = gitlab.notesBy(GATE_BOT);
    expect(notes).toHaveLength(1);
    const seen = render(notes[0]!.body).text.replaceAll('\u200d', '');
    expect(seen).toContain('Sepurux Reliability Gate: pass');
    // Compared with main's artifact: the baseline's figures and each delta.
    expect(seen).toContain(`Base ${'a'.repeat(7)} (pass)`);
    expect(seen).toMatch(/Pass rate drop\s+0\s+—\s+—\s+≤ 0\.05 \(max_pass_rate_drop\)/);
    expect(gitlab.requests.some((r) => r.path.startsWith(`/projects/${gitlab.projectId}/jobs/artifacts/main/raw/gate.json`))).toBe(true);
    expect(seen).toMatch(/Base branch \(pass rate, its last 1 comparable verdict, oldest first\): [▁-█] 0\.92 → 0\.92; this change: 0\.92\./);

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
      expect(gitlab.requests.some((r) => r.path.startsWith(`/projects/${gitlab.projectId}/jobs/artifacts/main/raw/gate.json`))).toBe(true);
      const downloads = gitlab.storageRequests.filter((r) => r.path.startsWith('/gitlab-artifacts/'));
      expect(downloads.length, run.output).toBeGreaterThan(0);
      for (const download of downloads) {
        expect(download.headers['job-token']).toBeUndefined();
        expect(JSON.stringify(download.headers)).not.toContain(gitlab.jobToken);
        expect(JSON.stringify(download.headers)).not.toContain(FAKE_GITLAB_TOKEN);
      }
      const seen = render(gitlab.notesBy(GATE_BOT).at(-1)!.body).text.replaceAll('\u200d', '');
      expect(seen).toContain(`Base ${'a'.repeat(7)} (pass)`);
      expect(seen).toMatch(/Pass rate drop\s+0\s+—\s+—\s+≤ 0\.05 \(max_pass_rate_drop\)/);
    } finally {
      gitlab.objectStorage = undefined;
    }
  }, 180_000);
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { runAction } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { ENGINES, render } from '../support/render.js';
import { webhookExample } from '../support/webhooks.js';
import { readReport } from '../../src/core/report-file/read.js';

// Many gates against main's record: an entry the change removes, renames or points at another
// campaign is said, with main's last verdict, and the check warns at best: never a silent success.
let sepurux = new FakeSepurux();
let github = new FakeGitHub();
let backend: ServedHandlers;
let api: ServedHandlers;

beforeAll(async () => {
  backend = await serveHandlers(() => sepurux.handlers());
  api = await serveHandlers(() => github.handlers());
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  github = new FakeGitHub();
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

const entry = (name: string, folder: string, campaign = 'refund-reliability') =>
  `  - name: ${name}\n    paths: [agents/${folder}/**]\n    campaign_name: ${campaign}\n`;
const MAIN = `gates:\n${entry('support-agent', 'support')}${entry('search-agent', 'search')}`;

function workspace(config: string): string {
  const dir = scratchDir('gates-removed');
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}

const gates = (o: { payload: any; eventName: string; cwd: string; inputs?: object }) =>
  runAction({
    inputs: {
      base_url: `${backend.origin}/api`,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      config: '.github/reliability-gates.yml',
      ...o.inputs,
    },
    eventName: o.eventName,
    payload: o.payload,
    env: { GITHUB_API_URL: api.origin },
    cwd: o.cwd,
  });

/** Main's push ran every entry of MAIN on the pull request's base commit; the pull request then changes the config file to `config`. */
async function pullRequestAfterMain(config: string, inputs?: object) {
  const payload = webhookExample('pull_request', 'opened') as any;
  const base = payload.pull_request.base.sha as string;
  const push = webhookExample('push') as any;
  push.after = base;
  const onMain = await gates({ eventName: 'push', payload: push, cwd: workspace(MAIN) });
  expect(onMain.outputs.decision).toBe('pass');
  github.checkRuns.forEach((run) => (run.head_sha = base));
  github.seedPullFiles(payload.pull_request.number, [
    '.github/reliability-gates.yml',
    'agents/support/prompt.md',
  ]);
  const run = await gates({ eventName: 'pull_request', payload, cwd: workspace(config), inputs });
  const check = github.checkRuns.find((c) => c.head_sha === payload.pull_request.head.sha);
  const comment = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
  return { run, check, comment, base };
}

describe("many gates against main's record", () => {
  it("names an entry the change removes, with main's verdict, and warns rather than succeeding", async () => {
    const { run, check, comment, base } = await pullRequestAfterMain(
      `gates:\n${entry('search-agent', 'search')}`,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('warn');
    expect(check?.conclusion).toBe('neutral');
    expect(check?.output?.title).toMatch(/Removed by this change.*`support-agent` \(pass/);
    expect(JSON.parse(run.outputs.gates ?? '')).toEqual([
      expect.objectContaining({ name: 'search-agent', ran: true, decision: 'pass' }),
      {
        name: 'support-agent',
        ran: false,
        decision: null,
        removed: true,
        base_decision: 'pass',
        reason: expect.stringContaining('Removed by this change'),
      },
    ]);
    expect(run.outputs.gates_skipped).toBe('0');
    for (const body of [comment, check?.output?.summary ?? ''])
      for (const engine of ENGINES) {
        const page = render(body, engine);
        expect(page.text).toContain('Removed by this change (1;');
        expect(page.text).toContain(
          `support-agent: the base commit's last verdict ✅ pass (${base.slice(0, 7)})`,
        );
      }
    expect(run.summary).toContain('Removed by this change');
    // The report file says it too, and reads back as the gate wrote it (a later --baseline-report).
    const report = await readReport(run.outputs.report_file!);
    if (typeof report === 'string') throw new Error(report);
    expect(report.gates?.removed).toEqual([{ name: 'support-agent', decision: 'pass', sha: base }]);
  });

  it('names the old name of an entry the change renames', async () => {
    const { run, check } = await pullRequestAfterMain(
      `gates:\n${entry('support-bot', 'support')}${entry('search-agent', 'search')}`,
    );
    expect(run.outputs.decision).toBe('warn');
    expect(check?.conclusion).toBe('neutral');
    const listed = JSON.parse(run.outputs.gates ?? '') as { name: string; removed?: boolean }[];
    expect(listed.filter((e) => e.removed).map((e) => e.name)).toEqual(['support-agent']);
    expect(check?.output?.summary).toContain('support-agent');
  });

  it('warns for an entry whose campaign changed (nothing compares it with main), even with no drop threshold', async () => {
    const { run, check, comment } = await pullRequestAfterMain(
      `gates:\n${entry('support-agent', 'support', 'scenario-pool')}${entry('search-agent', 'search')}`,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('warn');
    expect(check?.conclusion).toBe('neutral');
    const support = JSON.parse(run.outputs.gates ?? '')[0];
    expect(support).toMatchObject({ name: 'support-agent', ran: true, decision: 'warn' });
    expect(support.reason).toContain('what it evaluates changed');
    expect(support.reason).toContain('another campaign');
    const page = render(comment);
    expect(page.html).toMatch(/<h3>⚠️ support-agent: warn<\/h3>/);
    const report = await readReport(run.outputs.report_file!);
    if (typeof report === 'string') throw new Error(report);
    expect(report.decision).toBe('warn');
  });

  it('says nothing extra when nothing was removed, or the base record cannot be read', async () => {
    const kept = await pullRequestAfterMain(MAIN);
    expect(kept.run.outputs.decision).toBe('pass');
    expect(kept.check?.conclusion).toBe('success');
    expect(kept.comment).not.toContain('Removed by this change');

    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const payload = webhookExample('pull_request', 'opened') as any;
    github.seedPullFiles(payload.pull_request.number, ['.github/reliability-gates.yml']);
    const none = await gates({
      eventName: 'pull_request',
      payload,
      cwd: workspace(`gates:\n${entry('search-agent', 'search')}`),
    });
    expect(none.outputs.decision).toBe('pass');
    expect(JSON.parse(none.outputs.gates ?? '')).toHaveLength(1);
    expect(readFileSync(none.outputs.report_file!, 'utf8')).not.toContain('removed');
  });
});

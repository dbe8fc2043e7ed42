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
import { decodeRecord } from '../../src/core/baseline/encode.js';

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

const CONFIG = `# yaml-language-server: $schema=../reliability-gates.schema.json
gates:
  - name: support-agent
    paths: [agents/support/**, shared/**]
    campaign_name: refund-reliability
  - name: checkout-agent
    paths:
      - agents/checkout/**
      - "!agents/checkout/**/*.md"
    campaign_name: checkout-regression
  - name: search-agent
    paths: agents/search/**
    campaign_name: refund-reliability
    min_pass_rate: 0.9
`;

/** A workspace holding the config file, as actions/checkout leaves it. */
function workspace(config = CONFIG): string {
  const dir = scratchDir('gates-workspace');
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}

const pullRequest = () => webhookExample('pull_request', 'opened') as any;

const gates = (
  options: {
    inputs?: Record<string, string>;
    payload?: Record<string, unknown>;
    eventName?: string;
    env?: Record<string, string>;
    cwd?: string;
  } = {},
) =>
  runAction({
    inputs: {
      base_url: `${backend.origin}/api`,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      config: '.github/reliability-gates.yml',
      ...options.inputs,
    },
    eventName: options.eventName ?? 'pull_request',
    payload: options.payload ?? pullRequest(),
    env: { GITHUB_API_URL: api.origin, ...options.env },
    cwd: options.cwd ?? workspace(),
  });

/** The backend runs the gates started. */
const started = () =>
  sepurux.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;

describe('many gates in one step (config)', () => {
  it('runs only the gate a pull request reaches, and lists the others as not affected', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, [
      'agents/checkout/tools.py',
      'agents/checkout/README.md',
      'docs/index.md',
    ]);
    const run = await gates({ payload });
    expect(run.exitCode).toBe(1);
    expect(started()).toBe(1);
    const [check] = github.checkRuns;
    expect(check).toMatchObject({
      name: 'Reliability gates',
      head_sha: payload.pull_request.head.sha,
      conclusion: 'failure',
    });
    expect(check?.output?.title).toMatch(/^The only gate that ran failed: `checkout-agent`/);
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.gates_run).toBe('1');
    expect(run.outputs.gates_skipped).toBe('2');
    expect(JSON.parse(run.outputs.gates ?? '')).toEqual([
      {
        name: 'support-agent',
        ran: false,
        decision: null,
        reason: expect.stringMatching(/^Not affected/),
      },
      {
        name: 'checkout-agent',
        ran: true,
        decision: 'fail',
        reason: expect.stringContaining('Sepurux'),
      },
      {
        name: 'search-agent',
        ran: false,
        decision: null,
        reason: expect.stringMatching(/^Not affected/),
      },
    ]);
    const comment = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
    for (const engine of ENGINES) {
      const page = render(comment, engine);
      expect(page.text).toContain('1 of 3 gates ran, chosen by the 3 files pull request');
      // The table: the one that ran, why it ran (the markdown file is excluded by `!`).
      expect(page.rows).toContainEqual([
        '❌',
        'checkout-agent',
        'agents/checkout/tools.py changed',
        expect.stringContaining('Sepurux'),
      ]);
      expect(page.html).toMatch(/<h3>❌ checkout-agent: fail<\/h3>/);
      expect(page.text).toContain('Not affected (2; not evaluated, not counted as passing)');
      expect(page.text).toMatch(/support-agent: agents\/support\/\*\*, shared\/\*\*/);
      expect(page.text).toMatch(/search-agent: agents\/search\/\*\*/);
      // The failing tools of the one that ran are in its section.
      expect(page.rows).toContainEqual(['payments.refund', '3']);
    }
    // The job summary says the same.
    expect(run.summary).toContain('checkout-agent');
    expect(run.summary).toContain('Not affected');
  });

  it('succeeds as "no gate affected" when the change reaches none, with no backend call', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, [
      'docs/index.md',
      'agents/checkout/notes.md',
    ]);
    const run = await gates({ payload });
    expect(run.exitCode).toBe(0);
    expect(started()).toBe(0);
    expect(sepurux.requests).toEqual([]);
    expect(github.checkRuns[0]).toMatchObject({ conclusion: 'success' });
    expect(github.checkRuns[0]?.output?.title).toMatch(/^No gate affected/);
    expect(run.outputs).toMatchObject({ decision: 'pass', gates_run: '0', gates_skipped: '3' });
    const comment = render(github.comments.get(payload.pull_request.number)?.[0]?.body ?? '');
    expect(comment.text).toContain('Not affected (3');
  });

  it('runs every gate on push, and keeps a record for each under its name', async () => {
    const push = webhookExample('push') as any;
    const run = await gates({ eventName: 'push', payload: push });
    expect(run.exitCode).toBe(1);
    expect(started()).toBe(3);
    expect(run.outputs).toMatchObject({ gates_run: '3', gates_skipped: '0' });
    const record = decodeRecord(github.checkRuns[0]?.output?.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.decision).toBe('fail');
    expect(Object.keys(record.gates ?? {})).toEqual([
      'support-agent',
      'checkout-agent',
      'search-agent',
    ]);
    expect(record.gates?.['checkout-agent']).toMatchObject({
      decision: 'fail',
      figures: { pass_rate: 0.72 },
    });
    expect(record.gates?.['support-agent']).toMatchObject({ decision: 'pass' });
    expect(run.stdout).toContain('Every gate ran: on `push` every gate runs');
  });

  it("compares each entry with its own verdict on the base commit, read back from the check main's push left", async () => {
    const payload = pullRequest();
    const base = payload.pull_request.base.sha as string;
    const push = webhookExample('push') as any;
    push.after = base;
    const cwd = workspace();
    const onMain = await gates({ eventName: 'push', payload: push, cwd });
    expect(onMain.outputs.gates_run).toBe('3');
    github.checkRuns.forEach((run) => (run.head_sha = base));
    github.seedPullFiles(payload.pull_request.number, ['agents/search/prompt.md']);
    const run = await gates({ payload, cwd, inputs: { max_pass_rate_drop: '0.05' } });
    expect(run.outputs.gates_run).toBe('1');
    const report = JSON.parse(readFileSync(run.outputs.report_file!, 'utf8'));
    const search = report.gates.entries.find((e: { name: string }) => e.name === 'search-agent');
    expect(search.verdict.baseline.record).toMatchObject({ headSha: base, decision: 'pass' });
    expect(search.verdict.baseline.deltas).toEqual(expect.objectContaining({ pass_rate: 0 }));
    const comment = render(github.comments.get(payload.pull_request.number)?.[0]?.body ?? '');
    expect(comment.text).toContain(`Base ${base.slice(0, 7)} (pass)`);
  });

  it('runs every gate when the config file itself changed', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, ['.github/reliability-gates.yml']);
    const run = await gates({ payload });
    expect(started()).toBe(3);
    expect(run.stdout).toContain('`.github/reliability-gates.yml` (the config file) is among');
  });

  it('runs every gate when GitHub lists 3,000 files (its cap) or cannot list them, and says why', async () => {
    const payload = pullRequest();
    github.seedPullFiles(
      payload.pull_request.number,
      Array.from({ length: 3000 }, (_, i) => `docs/page-${i}.md`),
    );
    const capped = await gates({ payload });
    expect(started()).toBe(3);
    expect(capped.stdout).toContain('changes 3,000 files or more, the most GitHub lists');
    // Every page was read: 30 pages of 100.
    expect(github.requests.filter((r) => r.path.includes('/files')).length).toBe(30);

    sepurux = new FakeSepurux();
    github = new FakeGitHub();
    const unlisted = await gates({ payload });
    expect(started()).toBe(3);
    expect(unlisted.stdout).toContain('the changed files could not be read from GitHub (HTTP 404');
  });

  it('counts a renamed file under its old name too', async () => {
    const payload = pullRequest();
    github.seedPullFiles(payload.pull_request.number, [
      { filename: 'legacy/prompt.md', previous_filename: 'agents/search/prompt.txt' },
    ]);
    const run = await gates({ payload });
    expect(started()).toBe(1);
    expect(JSON.parse(run.outputs.gates ?? '').filter((g: { ran: boolean }) => g.ran)).toEqual([
      expect.objectContaining({ name: 'search-agent' }),
    ]);
  });

  it("compares the merge queue's base and head on merge_group", async () => {
    const queued = webhookExample('merge_group', 'checks_requested') as any;
    const { base_sha, head_sha } = queued.merge_group;
    github.comparisons.set(`${base_sha}...${head_sha}`, ['shared/util.py']);
    const run = await gates({ eventName: 'merge_group', payload: queued });
    expect(started()).toBe(1);
    expect(run.stdout).toContain("the 1 file the merge queue's change touches");
    expect(run.outputs.decision).toBe('pass');
  });

  it("names every problem of every entry, in the file's words, before any call", async () => {
    const cwd = workspace(`gates:
  - name: support-agent
    campaign_name: refund-reliability
    min_pas_rate: 0.9
  - name: support-agent
    token: sx_live_secret_in_the_file
  - name: bad name!
  - name: search-agent
    min_pass_rate: 85
    mode: soft
  - name: billing-agent
    campaign_name: refund-reliability
    trace_file: traces/nope.json
    max_unsafe: zero
  - name: eval-agent
    backend: trulayer
    score_floor: high
`);
    const run = await gates({ cwd });
    expect(run.exitCode).toBe(1);
    expect(sepurux.requests).toEqual([]);
    const errors = run.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(errors).toContain(
      'gate `support-agent`: `min_pas_rate` is not a key of an entry; did you mean `min_pass_rate`?',
    );
    expect(errors).toContain("gate #2 (`support-agent`): its `name` is gate #1's too");
    expect(errors).toContain(
      '`token` cannot be set for one entry: a credential is never written in the file',
    );
    expect(errors).toContain('gate #3: `name` is "bad name!"');
    expect(errors).toContain('`mode` cannot be set for one entry');
    // In the same run, not the next: each entry's values, its trace file and its credential.
    expect(errors).toContain('gate `search-agent`: `min_pass_rate` is "85"');
    expect(errors).toContain('gate `billing-agent`: `trace_file` "traces/nope.json"');
    expect(errors).toContain('gate `billing-agent`: `max_unsafe` is "zero"');
    expect(errors).toContain('gate `eval-agent`: `score_floor` is "high"');
    expect(errors).toContain(
      "gate `eval-agent`: `backend: trulayer` is not the step's (`sepurux`), whose `token` is never sent to another backend",
    );
    expect(errors).not.toContain('sx_live_secret_in_the_file');
    // The required check does not wait forever: it fails, saying what to fix, a problem a list item.
    const check = github.checkRuns[0];
    expect(check).toMatchObject({ name: 'Reliability gates', conclusion: 'failure' });
    // Its title is one line, the list's heading: the list is the summary's.
    expect(check?.output?.title).toBe('Inputs are invalid (listed below)');
    for (const engine of ENGINES) {
      const page = render(check?.output?.summary ?? '', engine);
      expect(page.html).toContain('<li>In <code>.github/reliability-gates.yml</code>, gate');
      expect(page.text).toMatch(/and \d+ more, in the log/);
      expect(page.text).toContain('Reliability gates ·');
    }
  });

  it("says an entry's invalid input with its entry, and a step input's once", async () => {
    const cwd = workspace(`gates:
  - name: support-agent
    campaign_name: refund-reliability
    min_pass_rate: 85
  - name: search-agent
    campaign_name: refund-reliability
`);
    const run = await gates({ cwd, inputs: { poll_interval: 'soon', max_unsafe: 'none' } });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(errors).toContain('gate `support-agent`: `min_pass_rate` is "85"');
    expect(errors.match(/poll_interval/g)).toHaveLength(1);
    // The step's own value is the step's, said once, never blamed on an entry that inherits it.
    expect(errors).toContain('- `max_unsafe` is "none"');
    expect(errors).not.toMatch(/gate `[a-z-]+`: `max_unsafe`/);
  });

  it("reads an entry's credential from the variable `token_env` names, masked, sent only to its backend", async () => {
    const cwd = workspace(`gates:
  - name: support-agent
    campaign_name: refund-reliability
    token_env: SUPPORT_SEPURUX_TOKEN
  - name: search-agent
    campaign_name: refund-reliability
    token_env: MISSING_TOKEN
`);
    const allowed = { allowed_token_env: 'SUPPORT_SEPURUX_TOKEN, MISSING_TOKEN' };
    const refused = await gates({
      cwd,
      inputs: allowed,
      env: { SUPPORT_SEPURUX_TOKEN: FAKE_TOKEN },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(
      '`token_env` names `MISSING_TOKEN`, which is empty or not set',
    );
    expect(sepurux.requests).toEqual([]);

    const ok = workspace(`gates:
  - name: support-agent
    campaign_name: refund-reliability
    token_env: SUPPORT_SEPURUX_TOKEN
`);
    const run = await gates({
      cwd: ok,
      inputs: { token: 'sx_other_token_not_this_one', ...allowed },
      env: { SUPPORT_SEPURUX_TOKEN: FAKE_TOKEN },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`::add-mask::${FAKE_TOKEN}`);
    expect(JSON.stringify(github.requests)).not.toContain(FAKE_TOKEN);
    expect(JSON.stringify(github.checkRuns)).not.toContain(FAKE_TOKEN);
  });

  it("keeps one entry's error its own: the others are evaluated, and the step fails", async () => {
    const cwd = workspace(`gates:
  - name: support-agent
    campaign_name: refund-reliability
  - name: ghost-agent
    campaign_name: no-such-campaign
`);
    const push = webhookExample('push') as any;
    const run = await gates({ cwd, eventName: 'push', payload: push });
    expect(run.exitCode).toBe(1);
    const entries = JSON.parse(run.outputs.gates ?? '');
    expect(entries[0]).toMatchObject({ name: 'support-agent', decision: 'pass' });
    expect(entries[1]).toMatchObject({ name: 'ghost-agent', decision: 'fail' });
    expect(entries[1].reason).toContain('no-such-campaign');
    const record = decodeRecord(github.checkRuns[0]?.output?.text);
    if (typeof record === 'string') throw new Error(record);
    // Only an evaluated entry keeps a record: the error is no baseline.
    expect(Object.keys(record.gates ?? {})).toEqual(['support-agent']);
  });

  it("never sends the step's token to an API root the file names, nor runs none when GitHub's comparison lists nothing", async () => {
    const cwd = workspace(`gates:
  - name: elsewhere
    campaign_name: refund-reliability
    base_url: http://127.0.0.1:9/api
`);
    const refused = await gates({
      cwd,
      eventName: 'push',
      payload: webhookExample('push') as any,
      // Allowed as an API root, it still never gets the step's token.
      inputs: { allowed_base_urls: 'http://127.0.0.1:9/api' },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(
      "`base_url` is the entry's own, and the step's `token` is never sent",
    );
    expect(sepurux.requests).toEqual([]);

    const queued = webhookExample('merge_group', 'checks_requested') as any;
    const { base_sha, head_sha } = queued.merge_group;
    github.comparisons.set(`${base_sha}...${head_sha}`, []);
    const run = await gates({ eventName: 'merge_group', payload: queued });
    expect(started()).toBe(3);
    expect(run.stdout).toContain(
      "GitHub's comparison of the merge queue's base and head lists no changed file",
    );
  });

  it('refuses config with shard or aggregate', async () => {
    const run = await gates({ inputs: { shard: 'a' } });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    // That is the problem, alone: what one gate would lack (a campaign) is not said.
    expect(errors).toEqual([
      expect.stringContaining('a config file of many gates is run in one step'),
    ]);
    expect(errors.join()).not.toContain('campaign');
    expect(sepurux.requests).toEqual([]);
  });
});

import { mermaidBlocks, parseMermaid } from '../support/mermaid.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/core/render/marker.js';
import {
  FAKE_GITLAB_READ_TOKEN,
  FAKE_GITLAB_TOKEN,
  FakeGitLab,
  GATE_BOT,
  REVIEWER,
} from '../support/fake-gitlab.js';
import {
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
  defaultCampaigns,
} from '../support/fake-sepurux.js';
import { ENGINES, render } from '../support/render.js';
import { runCli } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

// The built command line in a GitLab merge-request pipeline, keeping its note on a fake GitLab.
let gitlab = new FakeGitLab();
let sepurux = new FakeSepurux();
let servers: ServedHandlers[];
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => gitlab.handlers()),
  ]);
});
beforeEach(() => {
  gitlab = new FakeGitLab();
  sepurux = new FakeSepurux();
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const CHECK = 'Sepurux Reliability Gate';
const env = (more: Record<string, string> = {}) => ({
  GITLAB_CI: 'true',
  CI_PROJECT_PATH: 'acme/agents',
  CI_COMMIT_SHA: 'c0ffee'.padEnd(40, '0'),
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5005',
  ...gitlab.ciVariables(servers[1]!.origin),
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
  GATE_GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
  ...more,
});
const gate = (campaign: string, more: Record<string, string> = {}) =>
  runCli(['--trace-id', 'trace-1', '--campaign-name', campaign], env(more));
const gateNotes = () => gitlab.notesBy(GATE_BOT);
/** What a reviewer reads of the note, joiners aside. */
const seen = (body: string) => render(body).text.replaceAll('\u200d', '');

describe('the merge request keeps one sticky note of the verdict (GATE_GITLAB_TOKEN)', () => {
  it('notes the verdict, then edits the same note on the next pipeline: never a second one', async () => {
    const first = await gate('checkout-regression');
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stderr).toContain('Noted the verdict on merge request !42.');
    expect(gateNotes()).toHaveLength(1);
    const [note] = gateNotes();
    expect(note!.body).toContain(commentMarker(CHECK));
    expect(seen(note!.body)).toContain('Sepurux Reliability Gate: fail');
    expect(seen(note!.body)).toContain('payments.refund');
    expect(render(note!.body).links).toContain(
      'https://gitlab.example.com/acme/agents/-/jobs/5005',
    );

    const second = await gate('refund-reliability');
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain("Updated the gate's note on merge request !42.");
    expect(gateNotes()).toHaveLength(1);
    expect(gateNotes()[0]!.id).toBe(note!.id);
    expect(seen(gateNotes()[0]!.body)).toContain('Sepurux Reliability Gate: pass');
    expect(gitlab.requests.every((r) => r.token === FAKE_GITLAB_TOKEN)).toBe(true);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(
      FAKE_GITLAB_TOKEN,
    );
    expect(gitlab.violations).toEqual([]);
  });

  it('finds its note past the first page, and edits only its own: not a copied marker, not a system note', async () => {
    const marker = commentMarker(CHECK);
    const own = gitlab.seedNote(`old verdict\n${marker}`, GATE_BOT);
    const copied = gitlab.seedNote(`quoting the gate:\n${marker}`, REVIEWER);
    const system = gitlab.seedNote(`changed the description ${marker}`, GATE_BOT, true);
    // 150 newer notes: the gate's note is on the second page of the newest-updated first.
    for (let i = 0; i < 150; i++) gitlab.seedNote(`review comment ${i}`, REVIEWER);
    const run = await gate('refund-reliability');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(
      gitlab.requests
        .filter((r) => r.method === 'GET' && r.path.includes('/notes'))
        .map((r) => new URL(r.path, 'http://x').searchParams.get('page')),
    ).toEqual(['1', '2']);
    expect(gateNotes()).toHaveLength(1);
    expect(own.body).toContain('Sepurux Reliability Gate: pass');
    expect(copied.body).toBe(`quoting the gate:\n${marker}`);
    expect(system.body).toBe(`changed the description ${marker}`);
  });

  it("a run id equal to another gate's marker does not make that gate edit this gate's note", async () => {
    const OTHER = 'Release Gate';
    sepurux = new FakeSepurux({ runId: () => commentMarker(OTHER) });
    const planted = await gate('refund-reliability');
    expect(planted.exitCode, planted.stderr).toBe(0);
    expect(gateNotes()).toHaveLength(1);
    const [note] = gateNotes();
    expect(note!.body).not.toContain(commentMarker(OTHER));
    expect(seen(note!.body)).toContain(commentMarker(OTHER));

    sepurux = new FakeSepurux();
    const other = await gate('checkout-regression', { GATE_CHECK_NAME: OTHER });
    expect(other.exitCode, other.stderr).toBe(1);
    expect(other.stderr).toContain('Noted the verdict on merge request !42.');
    expect(gateNotes()).toHaveLength(2);
    expect(seen(gateNotes()[0]!.body)).toContain(`${CHECK}: pass`);
    expect(seen(gateNotes()[1]!.body)).toContain(`${OTHER}: fail`);
    // A note an older gate wrote with the marker planted mid-body is not the other gate's either.
    const older = gitlab.seedNote(
      `## ✅ ${CHECK}: pass\n\nrun \`${commentMarker('Third Gate')}\`\n${commentMarker(CHECK)}`,
      GATE_BOT,
    );
    const third = await gate('refund-reliability', { GATE_CHECK_NAME: 'Third Gate' });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(older.body).toContain(`run \`${commentMarker('Third Gate')}\``);
    expect(gateNotes()).toHaveLength(4);
  });

  it('notes again when its note was deleted between pipelines', async () => {
    await gate('refund-reliability');
    gitlab.notes.splice(0, gitlab.notes.length);
    const run = await gate('refund-reliability');
    expect(run.stderr).toContain('Noted the verdict on merge request !42.');
    expect(gateNotes()).toHaveLength(1);
  });

  it('keeps backend text from mentioning, referencing or running a quick action, in both renderers', async () => {
    const campaigns = defaultCampaigns();
    campaigns.push({
      id: crypto.randomUUID(),
      name: 'hostile',
      outcome: {
        decision: 'fail',
        pass_rate: 0.5,
        unsafe_attempts: 0,
        failures: 2,
        top_failing_tools: [
          { tool: '/merge', count: 2 },
          { tool: '@owner #1 !2 ~bug ~"needs review" %v1.0 $3 &4 group/project!5', count: 1 },
        ],
      },
    });
    sepurux = new FakeSepurux({ campaigns });
    const run = await gate('hostile');
    expect(run.exitCode, run.stderr).toBe(1);
    const body = gateNotes()[0]!.body;
    // GitLab runs a quick action on any line that begins with `/`.
    expect(body).not.toMatch(/^\s*\/[a-z]/m);
    for (const engine of ENGINES) {
      const { text } = render(body, engine);
      // GitLab's reference patterns find nothing in what a reader sees…
      expect(text, engine).not.toMatch(/(?:^|[^\w\u200d])[@#!~%$&](?=[\w"])/);
      // …which still reads as written.
      expect(text.replaceAll('\u200d', ''), engine).toContain(
        '@owner #1 !2 ~bug ~"needs review" %v1.0 $3 &4 group/project!5',
      );
      expect(text.replaceAll('\u200d', ''), engine).toContain('/merge');
    }
  });

  it('says what to fix when the token is refused, and the verdict still decides', async () => {
    const bad = await gate('refund-reliability', { GATE_GITLAB_TOKEN: 'glpat-revoked' });
    expect(bad.exitCode).toBe(0);
    expect(bad.stderr).toMatch(
      /warning: Could not note the verdict on merge request !42: GET \/user failed with HTTP 401: 401 Unauthorized\. GATE_GITLAB_TOKEN is not a valid GitLab token/,
    );
    const readOnly = await gate('checkout-regression', {
      GATE_GITLAB_TOKEN: FAKE_GITLAB_READ_TOKEN,
    });
    expect(readOnly.exitCode).toBe(1);
    expect(readOnly.stderr).toContain('failed with HTTP 403: insufficient_scope');
    expect(readOnly.stderr).toContain('it needs the `api` scope');
    expect(gitlab.notes).toHaveLength(0);
    const wrongProject = await gate('refund-reliability', { CI_PROJECT_ID: '999' });
    expect(wrongProject.exitCode).toBe(0);
    expect(wrongProject.stderr).toContain('404 Project Not Found');
    expect(wrongProject.stderr).toContain('cannot see this project (`CI_PROJECT_ID`)');
  });

  it('a failing GitLab is a warning: GitLab retried, then the verdict stands', async () => {
    gitlab.failures.push(500, 500, 500);
    const run = await gate('refund-reliability');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('warning: Could not note the verdict on merge request !42');
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^pass: /);
  });

  it("notes an input error with what to fix, in the command line's words", async () => {
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability', '--min-pass-rate', '85'],
      env(),
    );
    expect(run.exitCode).toBe(2);
    expect(gateNotes()).toHaveLength(1);
    expect(seen(gateNotes()[0]!.body)).toContain('--min-pass-rate');
    expect(sepurux.requests).toHaveLength(0);
  });

  it("reads the target branch's last pipelines' reports as the history, and the newest as the baseline", async () => {
    const dir = scratchDir('gitlab-history');
    const campaign = sepurux.campaign('checkout-regression');
    const regressed = campaign.outcome;
    // Three pipelines on main, each keeping this job's gate.json; orders.lookup failed in the middle one.
    for (const [i, outcome] of [
      { pass_rate: 0.9, top_failing_tools: [] },
      { pass_rate: 0.86, top_failing_tools: [{ tool: 'orders.lookup', count: 1 }] },
      { pass_rate: 0.92, top_failing_tools: [] },
    ].entries()) {
      campaign.outcome = {
        decision: 'pass',
        unsafe_attempts: 0,
        failures: 0,
        reliability_score: 90,
        ...outcome,
      };
      const sha = `${i + 1}`.repeat(40);
      const main = await runCli(
        [
          '--trace-id',
          'trace-1',
          '--campaign-name',
          'checkout-regression',
          '--report',
          'gate.json',
        ],
        { ...env(), CI_MERGE_REQUEST_IID: '', CI_COMMIT_SHA: sha },
        dir,
      );
      expect(main.exitCode, main.stderr).toBe(0);
      gitlab.seedPipeline('main', sha, {
        'reliability-gate': { 'gate.json': await readFile(join(dir, 'gate.json'), 'utf8') },
        lint: {},
      });
    }
    gitlab.seedPipeline('feature', 'f'.repeat(40), { 'reliability-gate': {} });
    campaign.outcome = regressed;
    const run = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'checkout-regression',
        '--max-unsafe',
        '5',
        '--max-pass-rate-drop',
        '0.05',
        '--report',
        'gate.json',
      ],
      env({ CI_JOB_NAME: 'reliability-gate', CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main' }),
      dir,
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('against the base branch: pass rate drop 0.2 > 0.05');
    expect(run.stderr).toContain(
      'History: 3 of the last 3 main pipelines hold a report of "Sepurux Reliability Gate".',
    );
    const seenNote = render(gateNotes()[0]!.body);
    expect(seenNote.rows[0]).toEqual([
      '',
      'Figure',
      'Value',
      `Base ${'3'.repeat(7)} (pass)`,
      'Δ',
      'Threshold',
    ]);
    const text = seenNote.text.replaceAll('\u200d', '');
    expect(text).toMatch(
      /Base branch \(pass rate, its last 3 comparable verdicts, oldest first\): 0\.9 → 0\.92; this change: 0\.72\./,
    );
    // GitLab renders Mermaid in notes: the trend is a chart there.
    const [chart] = mermaidBlocks(gateNotes()[0]!.body);
    expect(await parseMermaid(chart!)).toBe('xychart');
    expect(chart).toMatch(/"this change"\]/);
    expect(
      seenNote.rows.map((row) => row.map((cell) => cell.replaceAll('\u200d', ''))),
    ).toContainEqual([
      'orders.lookup',
      '2',
      expect.stringMatching(/^known: failed in 1 of 3, last passed/),
    ]);
    // One request for the pipelines, then a job list and an artifact for each.
    const reads = gitlab.requests.filter(
      (r) => r.method === 'GET' && !r.path.includes('/notes') && r.path !== '/user',
    );
    expect(reads).toHaveLength(7);
  });

  it('a matrix leg notes nothing: the aggregate job notes for every shard', async () => {
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability', '--shard', 'refunds'],
      env(),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('This is one shard of a matrix: nothing is reported here');
    expect(gitlab.requests).toHaveLength(0);
  });

  it('writes no note outside a merge-request pipeline, and says why', async () => {
    const run = await gate('refund-reliability', { CI_MERGE_REQUEST_IID: '' });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('this is not a merge-request pipeline');
    expect(gitlab.requests).toHaveLength(0);
  });

  it('refuses to send the token over plain http to another host', async () => {
    const run = await gate('refund-reliability', {
      CI_API_V4_URL: 'http://gitlab.example.com/api/v4',
    });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(
      'warning: GATE_GITLAB_TOKEN is set, but the gate will not send it to `CI_API_V4_URL`: plain http',
    );
  });

  it('refuses a token with a line break inside as bad input, naming the variable and never the value', async () => {
    const run = await gate('refund-reliability', {
      GATE_GITLAB_TOKEN: `${FAKE_GITLAB_TOKEN}\nglpat-second`,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('GATE_GITLAB_TOKEN');
    expect(run.stdout + run.stderr).not.toContain(FAKE_GITLAB_TOKEN);
    expect(sepurux.requests).toHaveLength(0);
  });
});

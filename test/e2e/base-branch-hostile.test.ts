import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../src/core/baseline/encode.js';
import type { Verdict } from '../../src/core/verdict/verdict.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import {
  defaultCampaigns,
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
} from '../support/fake-sepurux.js';
import { FaultyServer } from '../support/faults.js';
import { render } from '../support/render.js';
import { runAction, runCli } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// The base branch's history, the baseline and the check against a folder and a GitHub that
// answer in valid but unfriendly ways (issue 27): the bundled action and the built command line.
const CHECK = 'Sepurux Reliability Gate';
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string }; head: { sha: string } };
};
const BASE = payload.pull_request.base.sha;
const HEAD = payload.pull_request.head.sha;
/** The base branch's line, the base commit first. */
const LINE = [
  BASE,
  ...Array.from({ length: 11 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
];

let sepurux: FakeSepurux;
let github: FakeGitHub;
let campaignId: string;
let servers: ServedHandlers[];
let faulty: FaultyServer | undefined;
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
});
beforeEach(() => {
  const campaigns = defaultCampaigns();
  campaignId = randomUUID();
  campaigns.push({
    id: campaignId,
    name: 'agent-reliability',
    outcome: {
      decision: 'pass',
      pass_rate: 0.8,
      unsafe_attempts: 0,
      failures: 2,
      reliability_score: 80,
    },
  });
  sepurux = new FakeSepurux({ campaigns });
  github = new FakeGitHub();
  LINE.forEach((sha, i) =>
    github.seedCommit(
      sha,
      LINE[i + 1] ? [LINE[i + 1]!] : [],
      new Date(Date.UTC(2026, 10, 20 - i)).toISOString(),
    ),
  );
});
afterEach(async () => {
  await faulty?.stop();
  faulty = undefined;
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

/** This gate's verdict on base-branch commit `i`, as its check would hold it, completed at `at`. */
function seedVerdict(i: number, passRate: number, campaign: string, at: Date): void {
  const verdict: Verdict = {
    evaluated: { campaign },
    decision: 'pass',
    reason: '',
    outcome: 'evaluated',
    backend: 'Sepurux',
    ids: { run_id: `run-${i}-${campaign.slice(0, 8)}`, campaign_id: campaign },
    figures: { pass_rate: passRate },
    thresholds: [],
    topFailingTools: [],
    durationMs: 1,
  };
  github.seedCheckRun({
    name: CHECK,
    head_sha: LINE[i]!,
    status: 'completed',
    conclusion: 'success',
    completed_at: at.toISOString(),
    output: { text: encodeRecord(verdict, CHECK, LINE[i]!, at) },
  });
}

const gate = (more: Record<string, string> = {}, apiUrl = servers[1]!.origin) =>
  runAction({
    inputs: {
      base_url: servers[0]!.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      campaign_name: 'agent-reliability',
      max_unsafe: '5',
      ...more,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: apiUrl },
  });
const headCheck = () =>
  github.checkRuns.filter((run) => run.head_sha === HEAD && run.name === CHECK).at(-1);
const commentText = () =>
  render(github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '').text.replaceAll(
    '\u200d',
    '',
  );

describe('--history-dir: the newest reports by what they say, bounded by the clock', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('history-dir');
  });
  const env = () => ({
    GATE_TOKEN: FAKE_TOKEN,
    GATE_PROJECT_ID: FAKE_PROJECT_ID,
    GATE_BASE_URL: servers[0]!.origin,
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_PATH: 'acme/agents',
    CI_COMMIT_SHA: 'c0ffee'.padEnd(40, '0'),
  });
  const args = (history: string) => [
    '--trace-id',
    'trace-1',
    '--campaign-name',
    'agent-reliability',
    '--max-unsafe',
    '5',
    '--max-pass-rate-drop',
    '0.05',
    '--history-dir',
    history,
    '--report',
    join(dir, 'report.json'),
    '--markdown',
    join(dir, 'gate.md'),
  ];

  /** A report the command line wrote on the default branch, as the template of the folder's reports. */
  async function template(): Promise<Record<string, unknown>> {
    sepurux.campaign('agent-reliability').outcome = {
      decision: 'pass',
      pass_rate: 0.9,
      unsafe_attempts: 0,
      failures: 0,
      reliability_score: 90,
    };
    const main = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'agent-reliability',
        '--report',
        join(dir, 'main.json'),
      ],
      { ...env(), CI_COMMIT_SHA: 'a'.repeat(40) },
    );
    expect(main.exitCode, main.stderr).toBe(0);
    sepurux.campaign('agent-reliability').outcome = {
      decision: 'pass',
      pass_rate: 0.72,
      unsafe_attempts: 0,
      failures: 5,
      reliability_score: 70,
    };
    return JSON.parse(await readFile(join(dir, 'main.json'), 'utf8')) as Record<string, unknown>;
  }
  const writeReport = (
    folder: string,
    name: string,
    report: Record<string, unknown>,
    sha: string,
    writtenAt: Date,
    passRate: number,
  ) =>
    writeFile(
      join(folder, name),
      JSON.stringify({
        ...report,
        headSha: sha,
        writtenAt: writtenAt.toISOString(),
        figures: { ...(report.figures as object), pass_rate: passRate },
      }),
    );

  it('with 250 reports, the newest by their dates are the history and the baseline, whatever their names', async () => {
    const report = await template();
    const history = join(dir, 'history');
    await mkdir(history);
    // 250 pipelines, one a minute: the oldest 200 at a low 0.6, the newest 50 at 0.95.
    const now = Date.now();
    const sha = (i: number) => i.toString(16).padStart(40, '0');
    for (let i = 0; i < 250; i++)
      await writeReport(
        history,
        `report-${String(i).padStart(3, '0')}.json`,
        report,
        sha(i),
        new Date(now - (250 - i) * 60_000),
        i >= 200 ? 0.95 : 0.6,
      );
    const run = await runCli(args(history), env());
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout.trim().split('\n').at(-1)).toContain(
      'against the base branch: pass rate drop 0.23 > 0.05 (--max-pass-rate-drop)',
    );
    expect(
      JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).baseline.record.headSha,
    ).toBe(sha(249));
    const text = render(await readFile(join(dir, 'gate.md'), 'utf8')).text.replaceAll('\u200d', '');
    expect(text).toMatch(
      /Base branch \(pass rate, its last 10 comparable verdicts, oldest first\): 0\.95 → 0\.95; this change: 0\.72\./,
    );
  });

  it('a report dated in the future is never the newest: it is left out, said in the log and beside the history', async () => {
    const report = await template();
    const history = join(dir, 'history');
    await mkdir(history);
    const now = Date.now();
    for (let i = 0; i < 3; i++)
      await writeReport(
        history,
        `main-${i}.json`,
        report,
        `${i + 1}`.repeat(40),
        new Date(now - (3 - i) * 3_600_000),
        0.95,
      );
    // Named to sort first, dated a year ahead, and low: read as the newest, it would be the baseline for ever.
    await writeReport(
      history,
      'a-future.json',
      report,
      'f'.repeat(40),
      new Date(now + 365 * 86_400_000),
      0.6,
    );
    const run = await runCli(args(history), env());
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout.trim().split('\n').at(-1)).toContain('pass rate drop 0.23 > 0.05');
    expect(
      JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).baseline.record.headSha,
    ).toBe('3'.repeat(40));
    const said =
      /1 report is dated after now \([^)]*\), e\.g\. a-future\.json: a date that cannot be trusted is never the newest, so it is left out/;
    expect(run.stderr).toMatch(said);
    expect(
      render(await readFile(join(dir, 'gate.md'), 'utf8')).text.replaceAll('\u200d', ''),
    ).toMatch(said);
  });

  it('a history folder that is missing or not a folder is bad input, named, before any call', async () => {
    const missing = await runCli(args(join(dir, 'no-such-folder')), env());
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(
      /Flag --history-dir names ".*no-such-folder", which does not exist; give the folder of earlier --report files/,
    );
    await writeFile(join(dir, 'a-file.json'), '{}');
    const file = await runCli(args(join(dir, 'a-file.json')), env());
    expect(file.exitCode).toBe(2);
    expect(file.stderr).toContain('a-file.json", which is not a folder');
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('a newer verdict of something else does not hide the comparable one', () => {
  it('takes the newest comparable record on the base commit and on each history commit', async () => {
    // Two gates left on the default check_name: on each commit, the other campaign's check completed last.
    for (let i = 0; i < 4; i++) {
      seedVerdict(i, 0.95, campaignId, new Date(Date.UTC(2026, 10, 20 - i, 12)));
      seedVerdict(i, 0.5, 'another-campaign', new Date(Date.UTC(2026, 10, 20 - i, 13)));
    }
    const run = await gate({ max_pass_rate_drop: '0.05' });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.baseline_sha).toBe(BASE);
    expect(run.outputs.reason).toContain(
      'against the base branch: pass rate drop 0.15 > 0.05 (`max_pass_rate_drop`)',
    );
    expect(headCheck()?.conclusion).toBe('failure');
    const text = commentText();
    expect(text).toMatch(
      /Base branch \(pass rate, its last 4 comparable verdicts, oldest first\): 0\.95 → 0\.95; this change: 0\.8\./,
    );
    expect(text).not.toContain('not compared');
    // With only the other campaign's verdict there, it is still said not comparable, and on_missing_baseline decides.
    github.checkRuns.splice(0);
    seedVerdict(0, 0.5, 'another-campaign', new Date());
    const foreign = await gate({ max_pass_rate_drop: '0.05', history: '0' });
    expect(foreign.outputs.decision).toBe('warn');
    expect(foreign.outputs.reason).toContain('is of another campaign (another-campaign there');
  });
});

describe('the check is always completed', () => {
  // A hundred failing tools with 200-character names of three-byte characters: the whole record is over 80,000 characters.
  const tools = Array.from({ length: 100 }, (_, i) => ({
    tool: `${String(i).padStart(3, '0')}${'工'.repeat(197)}`,
    count: 100 - i,
  }));

  it("bounds a record over GitHub's limit: the check completes with the verdict, and says what its record left out", async () => {
    const outcome = sepurux.campaign('agent-reliability').outcome;
    outcome.top_failing_tools = tools;
    const run = await gate();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('pass');
    expect(github.violations).toEqual([]);
    expect(github.refusedOutputs).toEqual([]);
    const check = headCheck()!;
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(check.output!.text!.length).toBeLessThanOrEqual(65_535);
    const record = decodeRecord(check.output!.text);
    if (typeof record === 'string') throw new Error(record);
    // What comparison needs is whole; the tail of the tool list is left out, and the record says how much.
    expect(record).toMatchObject({
      decision: 'pass',
      figures: { pass_rate: 0.8 },
      evaluated: { campaign: campaignId },
    });
    expect(record.failingTools).toEqual(
      tools.slice(0, record.failingTools.length).map((t) => t.tool),
    );
    expect(record.failingTools.length).toBeGreaterThan(50);
    expect(record.omitted?.failingTools).toBe(100 - record.failingTools.length);
    expect(check.output!.summary).toContain(
      `it lists ${record.failingTools.length} of its 100 failing tools`,
    );
    expect(run.stdout).toContain("was bounded to fit GitHub's limit on a check's text");
  });

  it('a completion GitHub refuses with 422 is sent again, smaller, with the same conclusion', async () => {
    faulty = await new FaultyServer(servers[1]!.origin).start();
    faulty.on('PATCH', '/check-runs/', {
      kind: 'status',
      status: 422,
      body: JSON.stringify({
        message: 'Invalid request.\n\nOnly 65535 characters are allowed; 70000 were supplied.',
      }),
    });
    sepurux.campaign('agent-reliability').outcome.decision = 'fail';
    const run = await gate({}, faulty.origin);
    expect(run.exitCode).toBe(1);
    expect(faulty.requestsTo('PATCH', '/check-runs/')).toHaveLength(2);
    const check = headCheck()!;
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output?.summary).toContain(
      "GitHub refused this check's full report (HTTP 422); the conclusion above is the verdict.",
    );
    expect(check.output?.text).toBeUndefined();
    expect(
      run.annotations.some(
        (a) => a.level === 'warning' && a.message.includes('GitHub refused the check'),
      ),
    ).toBe(true);
  });

  it('a GitHub that hangs on the look-ups cannot spend the time the check needs: completed, with the verdict, in time', async () => {
    for (let i = 0; i < 10; i++)
      seedVerdict(i, 0.95, campaignId, new Date(Date.UTC(2026, 10, 20 - i, 12)));
    faulty = await new FaultyServer(servers[1]!.origin).start();
    faulty.on(
      'GET',
      '/check-runs',
      ...Array.from({ length: 40 }, () => ({ kind: 'hang' as const })),
    );
    sepurux.campaign('agent-reliability').outcome.decision = 'fail';
    const run = await gate({ timeout: '30' }, faulty.origin);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(headCheck()).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // Within the gate's timeout and GitHub's grace after it (10 s), with room to spare.
    expect(run.durationMs).toBeLessThan(38_000);
    expect(run.stdout).toMatch(
      /Baseline: the look-up on [0-9a-f]{12} was given up \(GitHub did not answer within/,
    );
    expect(run.stdout).toMatch(/History: the look-up was given up on \d+ of the 10 commits/);
    expect(run.stdout).not.toContain('Could not complete the check');
  }, 90_000);
});

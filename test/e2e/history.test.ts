import { mermaidBlocks, parseMermaid } from '../support/mermaid.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecord } from '../../src/core/baseline/encode.js';
import type { Verdict } from '../../src/core/verdict/verdict.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import {
  defaultCampaigns,
  FAKE_PROJECT_ID,
  FAKE_TOKEN,
  FakeSepurux,
} from '../support/fake-sepurux.js';
import { ENGINES, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { webhookExample } from '../support/webhooks.js';

// The base branch's history beside a pull request's verdict, read back from the gate's own
// checks on the base branch's last commits (the bundled action against a fake GitHub).
const CHECK = 'Sepurux Reliability Gate';
const payload = webhookExample('pull_request', 'opened') as {
  pull_request: { number: number; base: { sha: string } };
};
const BASE = payload.pull_request.base.sha;
/** The base branch's line, newest (the base commit) first, one merged feature commit beside each. */
const LINE = [
  BASE,
  ...Array.from({ length: 11 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
];
const FEATURE = (i: number) => `e${i.toString(16)}`.padEnd(40, 'e');
const TOOLS = [
  { tool: 'search.index', count: 1 },
  { tool: 'payments.refund', count: 3 },
  { tool: 'orders.lookup', count: 2 },
];

let sepurux: FakeSepurux;
let github: FakeGitHub;
let campaignId: string;
let servers: ServedHandlers[];
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
      decision: 'fail',
      pass_rate: 0.8,
      unsafe_attempts: 0,
      failures: 6,
      reliability_score: 80,
      top_failing_tools: TOOLS,
    },
  });
  sepurux = new FakeSepurux({ campaigns });
  github = new FakeGitHub();
  LINE.forEach((sha, i) => {
    github.seedCommit(
      sha,
      LINE[i + 1] ? [LINE[i + 1]!, FEATURE(i)] : [],
      new Date(Date.UTC(2026, 10, 20 - i)).toISOString(),
    );
    github.seedCommit(FEATURE(i), LINE[i + 1] ? [LINE[i + 1]!] : []);
  });
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

/** This gate's verdict on base-branch commit `i` (0: the base commit), as its check would hold it. */
function seedVerdict(
  i: number,
  figures: { pass_rate: number },
  failing: string[],
  campaign = campaignId,
): void {
  const verdict: Verdict = {
    evaluated: { campaign },
    decision: failing.length ? 'fail' : 'pass',
    reason: '',
    outcome: 'evaluated',
    backend: 'Sepurux',
    ids: { run_id: `run-${i}`, campaign_id: campaign },
    figures,
    thresholds: [],
    topFailingTools: failing.map((tool) => ({ tool, count: 1 })),
    durationMs: 1,
  };
  const at = new Date(Date.UTC(2026, 10, 20 - i, 12));
  github.seedCheckRun({
    name: CHECK,
    head_sha: LINE[i]!,
    status: 'completed',
    conclusion: 'success',
    completed_at: at.toISOString(),
    output: { text: encodeRecord(verdict, CHECK, LINE[i]!, at) },
  });
}

const gate = (more: Record<string, string> = {}) =>
  runAction({
    inputs: {
      base_url: servers[0]!.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      campaign_name: 'agent-reliability',
      max_unsafe: '0',
      ...more,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: servers[1]!.origin },
  });
const comment = () => github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
/** The failing-tools table as a reviewer reads it: tool, failures, along the base branch. */
const toolRows = (body: string, engine: (typeof ENGINES)[number] = 'micromark') =>
  render(body, engine)
    .rows.filter((row) => row.length === 3 && row[0] !== 'Tool')
    .map((row) => row.map((cell) => cell.replaceAll('\u200d', '')));

describe("the base branch's history beside the verdict (history: 10)", () => {
  it('marks each failing tool new or known, new first, and draws the trend of the pass rate', async () => {
    // payments.refund is flaky on main (3 of 10), orders.lookup always fails there, search.index never did.
    for (let i = 0; i < 10; i++)
      seedVerdict(i, { pass_rate: 0.9 - (i % 3) * 0.02 }, [
        'orders.lookup',
        ...([2, 5, 7].includes(i) ? ['payments.refund'] : []),
      ]);
    const run = await gate();
    expect(run.exitCode).toBe(1);
    const body = comment();
    for (const engine of ENGINES) {
      expect(toolRows(body, engine), engine).toEqual([
        ['search.index', '1', 'new: never failed in 10 base-branch verdicts'],
        [
          'payments.refund',
          '3',
          `known: failed in 3 of 10, last passed 2026-11-20 (${BASE.slice(0, 7)})`,
        ],
        ['orders.lookup', '2', 'known: failed in 10 of 10, never passed there'],
      ]);
    }
    const text = render(body).text.replaceAll('\u200d', '');
    expect(text).toMatch(
      /Base branch \(pass rate, its last 10 comparable verdicts, oldest first\): 0\.9 → 0\.9; this change: 0\.8\./,
    );
    // The comment and the job summary draw the trend as a chart (GitHub renders Mermaid there), this change last.
    for (const page of [body, run.summary]) {
      const [chart, ...more] = mermaidBlocks(page);
      expect(more).toEqual([]);
      expect(await parseMermaid(chart!)).toBe('xychart');
      expect(chart).toMatch(/x-axis \[("[0-9a-f]{7}", ){10}"this change"\]/);
      // Oldest first (i = 9 down to 0), this change last; no threshold bounds the pass rate here, so one line.
      expect(chart?.split('\n').filter((line) => line.startsWith('  line '))).toEqual([
        '  line [0.9, 0.86, 0.88, 0.9, 0.86, 0.88, 0.9, 0.86, 0.88, 0.9, 0.8]',
      ]);
    }
    // The check run's summary and the log get the sparkline: Mermaid is not known to render there.
    const summary = github.checkRuns.at(-1)?.output?.summary ?? '';
    expect(summary).not.toContain('```mermaid');
    expect(render(summary).text).toMatch(
      /oldest first\): [▁-█]{10} 0\.9 → 0\.9; this change: [▁-█] 0\.8\./,
    );
    expect(run.stdout).toMatch(
      /Base branch pass rate, last 10 comparable verdicts, oldest first: [▁-█]{10} 0\.9 → 0\.9; this change: [▁-█] 0\.8\./,
    );
    // One request for the commits and one per commit (four at a time), beside the base commit's look-up.
    expect(github.requests.filter((r) => r.path.includes('/commits?'))).toHaveLength(1);
    expect(
      github.requests.filter((r) => r.path.includes('/check-runs?')).length,
    ).toBeLessThanOrEqual(11);
    // The merged feature commits are not the base branch's verdicts.
    expect(github.requests.some((r) => r.path.includes(FEATURE(0)))).toBe(false);
  });

  it("reads further pages of commits where merged branches crowd the base branch's own line", async () => {
    // Each commit of the line merges a branch of four commits: a page of 30 holds only part of the line.
    github.commits.clear();
    LINE.forEach((sha, i) => {
      const side = Array.from({ length: 4 }, (_, k) => `${i.toString(16)}${k}`.padEnd(40, 'c'));
      github.seedCommit(sha, LINE[i + 1] ? [LINE[i + 1]!, side[0]!] : []);
      side.forEach((commit, k) =>
        github.seedCommit(commit, [side[k + 1] ?? LINE[i + 1] ?? LINE[i]!]),
      );
    });
    for (let i = 0; i < 10; i++) seedVerdict(i, { pass_rate: 0.9 }, ['orders.lookup']);
    await gate();
    expect(github.requests.filter((r) => r.path.includes('/commits?')).length).toBeGreaterThan(1);
    expect(render(comment()).text.replaceAll('\u200d', '')).toContain(
      'its last 10 comparable verdicts',
    );
  });

  it('leaves out the verdicts of another campaign, says so once, and never judges them', async () => {
    for (let i = 0; i < 10; i++)
      seedVerdict(
        i,
        { pass_rate: 0.9 },
        i < 6 ? ['orders.lookup'] : ['search.index'],
        i < 6 ? campaignId : 'another-campaign',
      );
    const run = await gate();
    const text = render(comment()).text.replaceAll('\u200d', '');
    expect(text).toContain(
      'History: 4 are of something else (another campaign, dataset, eval version, suite, project or score) and not compared.',
    );
    expect(toolRows(comment())).toEqual([
      ['payments.refund', '3', 'new: never failed in 6 base-branch verdicts'],
      ['search.index', '1', 'new: never failed in 6 base-branch verdicts'],
      ['orders.lookup', '2', 'known: failed in 6 of 6, never passed there'],
    ]);
    expect(run.outputs.baseline_sha).toBe(BASE);
  });

  it('a campaign changed on the base commit itself: not comparable, and on_missing_baseline decides the drop', async () => {
    seedVerdict(0, { pass_rate: 0.95 }, [], 'another-campaign');
    for (let i = 1; i < 10; i++) seedVerdict(i, { pass_rate: 0.95 }, []);
    sepurux.campaign('agent-reliability').outcome.decision = 'pass';
    const run = await gate({ max_pass_rate_drop: '0.05', max_unsafe: '5', min_pass_rate: '0.5' });
    expect(run.outputs.decision).toBe('warn');
    expect(run.outputs.reason).toContain(
      `no baseline: the base verdict (${BASE.slice(0, 12)}) is of another campaign (another-campaign there, ${campaignId} here): not comparable`,
    );
    expect(render(comment()).text.replaceAll('\u200d', '')).toContain('not comparable');
  });

  it('walks back along the base branch when the base commit has no verdict of this gate, and says so', async () => {
    for (let i = 2; i < 10; i++) seedVerdict(i, { pass_rate: 0.95 }, []);
    sepurux.campaign('agent-reliability').outcome.decision = 'pass';
    const run = await gate({ max_pass_rate_drop: '0.05', max_unsafe: '5' });
    expect(run.outputs.decision).toBe('fail');
    expect(run.outputs.baseline_sha).toBe(LINE[2]);
    expect(run.outputs.reason).toContain(
      'against the base branch: pass rate drop 0.15 > 0.05 (`max_pass_rate_drop`)',
    );
    const text = render(comment()).text.replaceAll('\u200d', '');
    expect(text).toContain(
      `The base commit has no verdict of this gate: the baseline is the newest along the base branch, ${LINE[2]!.slice(0, 7)}, 2 commits back.`,
    );
    // With history: 0 nothing is walked: no baseline, and on_missing_baseline decides.
    const off = await gate({ max_pass_rate_drop: '0.05', max_unsafe: '5', history: '0' });
    expect(off.outputs).toMatchObject({ decision: 'warn', baseline_sha: '' });
  });

  it('baseline_from: median compares with the median of the history, which one flaky base run cannot move', async () => {
    // The base commit's run was a flaky low; the nine before it were steady at 0.9.
    seedVerdict(0, { pass_rate: 0.6 }, ['orders.lookup']);
    for (let i = 1; i < 10; i++) seedVerdict(i, { pass_rate: 0.9 }, []);
    const againstBase = await gate({ max_pass_rate_drop: '0.05', max_unsafe: '5' });
    expect(againstBase.outputs.reason).not.toContain('pass rate drop');
    const againstMedian = await gate({
      max_pass_rate_drop: '0.05',
      max_unsafe: '5',
      baseline_from: 'median',
    });
    expect(againstMedian.outputs.decision).toBe('fail');
    expect(againstMedian.outputs.reason).toContain(
      'against the base branch: pass rate drop 0.1 > 0.05 (`max_pass_rate_drop`)',
    );
    const seen = render(comment());
    expect(seen.rows[0]).toEqual(['', 'Figure', 'Value', 'Base median of 10', 'Δ', 'Threshold']);
    expect(seen.rows).toContainEqual(['', 'Pass rate', '0.8', '0.9', '−0.1', '']);
  });

  it("a history shorter than asked, unreadable records and another app's are counted as missing, said once", async () => {
    seedVerdict(0, { pass_rate: 0.9 }, ['orders.lookup']);
    seedVerdict(1, { pass_rate: 0.9 }, []);
    github.seedCheckRun({
      name: CHECK,
      head_sha: LINE[2]!,
      status: 'completed',
      conclusion: 'success',
      completed_at: new Date().toISOString(),
      output: { text: '<!-- agent-reliability-gate-record:v1:bm90IGpzb24= -->' },
    });
    github.seedCheckRun({
      name: CHECK,
      head_sha: LINE[3]!,
      status: 'completed',
      conclusion: 'success',
      app: 'evil-app',
      completed_at: new Date().toISOString(),
      output: {
        text: encodeRecord(
          {
            decision: 'pass',
            reason: '',
            outcome: 'evaluated',
            backend: 'Sepurux',
            ids: {},
            figures: { pass_rate: 1 },
            thresholds: [],
            topFailingTools: [],
            durationMs: 1,
          },
          CHECK,
          LINE[3]!,
        ),
      },
    });
    const run = await gate({ history: '20' });
    expect(run.exitCode).toBe(1);
    const text = render(comment()).text.replaceAll('\u200d', '');
    expect(text).toContain(
      'History: the base branch holds 12 of the 20 commits asked for; 10 of the 12 commits read have no verdict of this gate.',
    );
    expect(toolRows(comment())).toContainEqual([
      'orders.lookup',
      '2',
      'known: failed in 1 of 2, last passed 2026-11-19 (' + LINE[1]!.slice(0, 7) + ')',
    ]);
  });

  it('is not read with history: 0, and a GitHub that fails the look-up costs no verdict', async () => {
    seedVerdict(0, { pass_rate: 0.9 }, []);
    const off = await gate({ history: '0' });
    expect(github.requests.some((r) => r.path.includes('/commits?'))).toBe(false);
    expect(render(comment()).text).not.toContain('Base branch (');
    expect(off.exitCode).toBe(1);
    github.commits.clear();
    const failing = await gate();
    expect(failing.exitCode).toBe(1);
    expect(failing.outputs.baseline_sha).toBe(BASE);
  });
});

describe('TruLayer: each regressed item marked new or known along the base branch', () => {
  it('against the base-branch verdicts whose diff was read, new items first', async () => {
    const { BASELINE_RUN_ID, DATASET_ID, EVAL_VERSION_ID, FAKE_TRULAYER_TOKEN, FakeTruLayer } =
      await import('../support/fake-trulayer.js');
    const trulayer = new FakeTruLayer({ items: 8, itemNoise: 0.4 });
    const served = await serveHandlers(() => trulayer.handlers());
    try {
      const run = (history: string) =>
        runAction({
          inputs: {
            backend: 'trulayer',
            base_url: served.origin,
            token: FAKE_TRULAYER_TOKEN,
            dataset_id: DATASET_ID,
            eval_version_id: EVAL_VERSION_ID,
            github_token: FAKE_GITHUB_TOKEN,
            baseline_run_id: BASELINE_RUN_ID,
            score_floor: '0',
            history,
          },
          eventName: 'pull_request',
          payload,
          env: { GITHUB_API_URL: servers[1]!.origin },
        });
      const first = await run('0');
      const report = JSON.parse(
        await import('node:fs/promises').then((fs) =>
          fs.readFile(first.outputs.report_file!, 'utf8'),
        ),
      ) as { errorBars: { regressed: { item: string }[] } };
      const regressed = report.errorBars.regressed.map((r) => r.item);
      expect(regressed.length).toBeGreaterThan(1);
      // Three verdicts on main: the first regressed item regressed in two of them; one older verdict read no diff.
      const seed = (i: number, items: string[] | undefined) => {
        const verdict: Verdict = {
          evaluated: {
            dataset: DATASET_ID.toLowerCase(),
            eval_version: EVAL_VERSION_ID.toLowerCase(),
          },
          decision: 'pass',
          reason: '',
          outcome: 'evaluated',
          backend: 'TruLayer',
          ids: { run_id: `run-${i}` },
          figures: { mean_score: 0.8 },
          thresholds: [],
          topFailingTools: [],
          durationMs: 1,
          ...(items
            ? {
                errorBars: {
                  basis: 'per-item scores',
                  intervals: [],
                  regressed: items.map((item) => ({ item, delta: -0.1 })),
                },
              }
            : {}),
        };
        const at = new Date(Date.UTC(2026, 10, 20 - i, 12));
        github.seedCheckRun({
          name: 'TruLayer Eval Gate',
          head_sha: LINE[i]!,
          status: 'completed',
          conclusion: 'success',
          completed_at: at.toISOString(),
          output: { text: encodeRecord(verdict, 'TruLayer Eval Gate', LINE[i]!, at) },
        });
      };
      seed(0, [regressed[0]!]);
      seed(1, []);
      seed(2, [regressed[0]!]);
      seed(3, undefined);
      await run('4');
      const body = github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
      const rows = render(body)
        .rows.map((row) => row.map((cell) => cell.replaceAll('\u200d', '')))
        .filter((row) => regressed.includes(row[0]!))
        .map((row) => [row[0], row[5]]);
      expect(rows).toHaveLength(regressed.length);
      expect(rows.at(-1)).toEqual([
        regressed[0],
        `known: regressed in 2 of 3, last passed 2026-11-19 (${LINE[1]!.slice(0, 7)})`,
      ]);
      expect(
        rows
          .slice(0, -1)
          .every(([, mark]) => mark === 'new: never regressed in 3 base-branch verdicts'),
      ).toBe(true);
    } finally {
      await served.close();
    }
  });
});

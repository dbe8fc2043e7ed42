import { mermaidBlocks } from '../support/mermaid.js';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { CLI_INPUTS } from '../../src/cli/flags.js';
import { parseAnnotations, runCli } from '../support/runner.js';
import { render } from '../support/render.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';

// The command line as a GitLab job runs it: the built dist/cli/index.js against the fakes.
let sepurux = new FakeSepurux();
const trulayer = new FakeTruLayer();
let servers: ServedHandlers[];
let dir: string;
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
  ]);
});
beforeEach(async () => {
  sepurux = new FakeSepurux();
  dir = scratchDir('cli');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const GITLAB = {
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PROJECT_PATH: 'acme/agents',
  CI_MERGE_REQUEST_IID: '42',
  CI_COMMIT_SHA: 'c0ffee'.padEnd(40, '0'),
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5005',
};
const sepuruxEnv = () => ({
  ...GITLAB,
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
});
const files = () => [
  '--report',
  join(dir, 'report.json'),
  '--junit',
  join(dir, 'junit.xml'),
  '--markdown',
  join(dir, 'gate.md'),
];
const junit = async () =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
    await readFile(join(dir, 'junit.xml'), 'utf8'),
  );
const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe('the command line in a GitLab job', () => {
  it('passes: exit 0, the decision last on stdout, the files written, the merge request sent to the backend', async () => {
    const run = await runCli(
      [
        '--trace-file',
        'examples/traces/refund_flow.json',
        '--campaign-name',
        'refund-reliability',
        '--min-pass-rate',
        '0.85',
        ...files(),
      ],
      sepuruxEnv(),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toBe('pass: Sepurux decided pass, and all 2 thresholds hold.');
    expect(run.stderr).toContain(
      'Gating acme/agents (merge request 42) at c0ffee000000; read from GitLab CI.',
    );
    expect(run.stderr).toContain('▸ Upload trace');
    expect(sepurux.requestsTo('POST', '/v1/ci/runs')[0]?.body).toMatchObject({
      repo: 'acme/agents',
      pull_request_number: 42,
      commit_sha: GITLAB.CI_COMMIT_SHA,
    });
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({
      version: 1,
      decision: 'pass',
      figures: { pass_rate: 0.92 },
      ids: { run_id: [...sepurux.runs.keys()][0] },
    });
    const suite = (await junit()).testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'Sepurux Reliability Gate', tests: '3', failures: '0' });
    expect(suite.testcase.map((c: { name: string }) => c.name)).toEqual([
      'Sepurux decision',
      '--min-pass-rate: pass rate ≥ 0.85',
      '--max-unsafe: unsafe attempts ≤ 0',
    ]);
    expect(render(await readFile(join(dir, 'gate.md'), 'utf8')).text).toContain(
      'Sepurux Reliability Gate: pass',
    );
    expect(run.stdout + run.stderr).not.toContain(FAKE_TOKEN);
  });

  it('fails: exit 1, and each JUnit failure carries its reason', async () => {
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'checkout-regression', ...files()],
      sepuruxEnv(),
    );
    expect(run.exitCode).toBe(1);
    expect(lastLine(run.stdout)).toBe(
      'fail: Sepurux decided fail; unsafe attempts 1 > 0 (--max-unsafe).',
    );
    const cases = (await junit()).testsuites.testsuite.testcase as {
      name: string;
      failure?: { message: string };
    }[];
    expect(cases.find((c) => c.name === 'Sepurux decision')?.failure?.message).toBe(
      'Sepurux decided fail; unsafe attempts 1 > 0 (--max-unsafe).',
    );
    // In the command line's words, as its reason: the flag, not the action's input.
    expect(cases.find((c) => c.name.startsWith('--max-unsafe'))?.failure?.message).toBe(
      'unsafe attempts 1 > 0 (--max-unsafe)',
    );
  });

  it('soft mode reports a fail and exits 0', async () => {
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'checkout-regression', '--mode', 'soft'],
      sepuruxEnv(),
    );
    expect(run.exitCode).toBe(0);
    expect(lastLine(run.stdout)).toMatch(/^fail: /);
    expect(run.stderr).toContain(
      'warning: The gate failed, but --mode soft does not fail the job.',
    );
  });

  it('gates a batch over the eval-set', async () => {
    const run = await runCli(['--campaign-name', 'scenario-pool', ...files()], sepuruxEnv());
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).figures).toMatchObject({
      trace_count: 3,
      scenario_coverage_pct: 100,
    });
  });

  it('sends the repository --repository names to the backend, outside any CI that names one', async () => {
    const run = await runCli(
      [
        '--campaign-name',
        'refund-reliability',
        '--trace-id',
        'trace-1',
        '--repository',
        'acme/robots',
      ],
      {
        GATE_TOKEN: FAKE_TOKEN,
        GATE_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_BASE_URL: sepuruxEnv().GATE_BASE_URL,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('Gating acme/robots');
    expect(sepurux.requestsTo('POST', '/v1/ci/runs').at(-1)?.body).toMatchObject({
      repo: 'acme/robots',
    });
  });

  it('takes a flag over its GATE_ variable', async () => {
    const run = await runCli(['--campaign-name', 'refund-reliability', '--trace-id', 'trace-1'], {
      ...sepuruxEnv(),
      GATE_CAMPAIGN_NAME: 'checkout-regression',
    });
    expect(run.exitCode).toBe(0);
  });

  it('gates on TruLayer', async () => {
    const run = await runCli(
      [
        '--backend',
        'trulayer',
        '--dataset-id',
        DATASET_ID,
        '--eval-version-id',
        EVAL_VERSION_ID,
        '--score-floor',
        '0.8',
        ...files(),
      ],
      {
        GATE_TOKEN: FAKE_TRULAYER_TOKEN,
        GATE_BASE_URL: servers[1]!.origin,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toMatch(
      /^pass: TruLayer: mean_score 0\.86 within policy, and its threshold holds\.$/,
    );
    expect(run.stderr).toContain('read from no CI');
  });
});

describe('the command line refuses bad input before any request, with exit 2', () => {
  it.each([
    [
      ['--trace-fil', 'x'],
      'Unknown flag --trace-fil; did you mean --trace-file? See --help for every flag.',
    ],
    [
      ['--campaign-name'],
      'Flag --campaign-name needs a value: write --campaign-name VALUE (or --campaign-name=VALUE).',
    ],
    [['positional'], 'Argument 1 has no flag before it; every value goes with its flag'],
  ])('%j', async (args, said) => {
    const run = await runCli(args, sepuruxEnv());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(said);
    expect(sepurux.requests).toHaveLength(0);
  });

  it('names the flag, not the action input, and writes the files it was asked for', async () => {
    const run = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
        '--min-pass-rate',
        '85',
        ...files(),
      ],
      sepuruxEnv(),
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'agent-reliability-gate: --min-pass-rate is "85"; write a number from 0 to 1 (it is a fraction: write "0.85" for 85%).',
    );
    // Said once: stdout's last line is the decision, not the problem again.
    expect(lastLine(run.stdout)).toBe(
      'fail: bad input, 1 problem said on stderr; nothing was sent.',
    );
    // No verdict: JUnit's error (the test did not run), not a failure.
    expect((await junit()).testsuites.testsuite.testcase.error.message).toContain(
      '--min-pass-rate is "85"',
    );
    expect(sepurux.requests).toHaveLength(0);
  });
});

describe('the command line fails closed at its own doors', () => {
  it('refuses a misspelt GATE_ variable, naming the one meant, where a dropped threshold would have passed', async () => {
    // refund-reliability passes at 0.92: a dropped 0.95 threshold would let it through.
    const run = await runCli(['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'], {
      ...sepuruxEnv(),
      GATE_MIN_PASS_RAT: '0.95',
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'Variable GATE_MIN_PASS_RAT is not an input of the command line; did you mean GATE_MIN_PASS_RATE?',
    );
    expect(sepurux.requests).toHaveLength(0);
  });

  it('says every problem at once, in its own words, in the files too', async () => {
    const run = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
        '--min-pass-rate',
        '85',
        '--verbos',
        ...files(),
      ],
      { ...sepuruxEnv(), GATE_TOKEN: '' },
    );
    expect(run.exitCode).toBe(2);
    for (const said of [
      'Unknown flag --verbos; did you mean --verbose?',
      '--min-pass-rate is "85"',
      'GATE_TOKEN is required',
    ]) {
      expect(run.stderr).toContain(said);
      expect((await junit()).testsuites.testsuite.testcase.error.message).toContain(said);
      expect(render(await readFile(join(dir, 'gate.md'), 'utf8')).text).toContain(said);
    }
    expect(run.stdout + run.stderr).not.toMatch(/base_url|min_pass_rate|secrets\./);
  });

  it('never repeats a value after a switch: it may be a secret', async () => {
    const run = await runCli(
      [
        '--verbose',
        'sx_SECRET_VALUE',
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
      ],
      sepuruxEnv(),
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'Flag --verbose takes no value, but a word follows it; remove the word.',
    );
    expect(run.stdout + run.stderr).not.toContain('sx_SECRET_VALUE');
  });

  it('prints backend text inside a GitHub job without a workflow command, an escape sequence or a carriage return', async () => {
    const hostile = `x\n::error title=pwned::owned\r\x1b[2J\x1b]0;title\x07\u202eevil`;
    const long = `${'n'.repeat(5000)}\n::warning::long`;
    sepurux.campaigns.push(
      { id: 'c-long', name: long, outcome: { decision: 'pass' } },
      { id: 'c-hostile', name: `${hostile}-2`, outcome: { decision: 'pass' } },
    );
    const run = await runCli(['--trace-id', 'trace-1', '--campaign-name', hostile, '--verbose'], {
      ...sepuruxEnv(),
      GITHUB_ACTIONS: 'true',
    });
    expect(run.exitCode).toBe(1);
    const printed = run.stdout + run.stderr;
    expect(printed).not.toMatch(/^\s*::/m);
    // eslint-disable-next-line no-control-regex -- the test looks for control characters.
    expect(printed).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(lastLine(run.stdout)).toMatch(
      /^fail: .*No campaign is named exactly "x ::error title=pwned::owned/,
    );
    // Names a backend lists are bounded: a 5,000-character one is cut.
    expect(run.stdout.length).toBeLessThan(1500);
    expect(lastLine(run.stdout)).toContain('closest: "x ::error');
  });

  it('prints no legacy `##[command]` inside a GitHub job: a hostile campaign id and decision are shown, not obeyed', async () => {
    sepurux.campaigns.push({
      id: 'c-1 ##[add-mask]pass',
      name: 'hostile-campaign',
      outcome: { decision: 'maybe ##[error]owned', pass_rate: 0.95, unsafe_attempts: 0 },
    });
    const run = await runCli(
      ['--trace-id', 'trace-1', '--campaign-name', 'hostile-campaign', '--verbose'],
      { ...sepuruxEnv(), GITHUB_ACTIONS: 'true' },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    // The runner reads both streams, and obeys `##[` anywhere in a line.
    for (const stream of [run.stdout, run.stderr]) {
      expect(stream).not.toContain('##[');
      expect(parseAnnotations(stream)).toEqual([]);
    }
    expect(lastLine(run.stdout)).toMatch(/^fail: .*decision "maybe ##\u200b\[error\]owned"/);
    expect(run.stderr.replaceAll('\u200b', '')).toContain('c-1 ##[add-mask]pass');
  });
});

describe('the command line aggregates a matrix (GitLab parallel:matrix, Jenkins parallel)', () => {
  const leg = (shard: string, campaign: string) =>
    runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        campaign,
        '--shard',
        shard,
        '--report',
        join(dir, 'reports', `${shard}.json`),
      ],
      sepuruxEnv(),
    );

  it("pools the shards' reports into one verdict, with a JUnit test case and a markdown row per shard", async () => {
    expect((await leg('refunds', 'refund-reliability')).exitCode).toBe(0);
    expect((await leg('billing', 'checkout-regression')).exitCode).toBe(1);
    const requests = sepurux.requests.length;
    const run = await runCli(
      [
        '--aggregate',
        'reports/*.json',
        '--expected-shards',
        '2',
        '--min-pass-rate',
        '0.7',
        ...files(),
      ],
      GITLAB,
      dir,
    );
    expect(sepurux.requests).toHaveLength(requests);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(lastLine(run.stdout)).toBe(
      'fail: 2 shards (billing fail, refunds pass): the worst is billing: Sepurux decided fail; unsafe attempts 1 > 0 (--max-unsafe).',
    );
    const cases = (await junit()).testsuites.testsuite.testcase as {
      name: string;
      failure?: { message: string };
    }[];
    expect(cases.map((c) => [c.name, c.failure ? 'failed' : 'passed'])).toEqual([
      ['shard billing', 'failed'],
      ['shard refunds', 'passed'],
      ['pooled --min-pass-rate: pass rate ≥ 0.7', 'passed'],
    ]);
    const rows = render(await readFile(join(dir, 'gate.md'), 'utf8')).rows;
    expect(
      rows
        .filter((row) => ['refunds', 'billing'].includes(row[0] ?? ''))
        .map((row) => row.slice(0, 2)),
    ).toEqual([
      ['billing', '❌ fail'],
      ['refunds', '✅ pass'],
    ]);
  });

  it('with no commit to hold the shards to, fails closed on shards of different commits', async () => {
    const at = (shard: string, sha: string) =>
      runCli(
        [
          '--trace-id',
          'trace-1',
          '--campaign-name',
          'refund-reliability',
          '--shard',
          shard,
          '--report',
          join(dir, 'reports', `${shard}.json`),
        ],
        { ...sepuruxEnv(), CI_COMMIT_SHA: sha },
      );
    expect((await at('refunds', '0123456789'.repeat(4))).exitCode).toBe(0);
    expect((await at('billing', 'f'.repeat(40))).exitCode).toBe(0);
    // Outside any CI: no commit is known to the aggregate.
    const run = await runCli(['--aggregate', 'reports/*.json', '--expected-shards', '2'], {}, dir);
    expect(run.exitCode).toBe(1);
    expect(lastLine(run.stdout)).toContain(
      'the reports judged 2 different commits (012345678901, ffffffffffff), so they are not shards of one run',
    );
  });

  it('fails closed on a missing shard, and refuses what an aggregate does not read, in its own words', async () => {
    await leg('refunds', 'refund-reliability');
    const missing = await runCli(
      ['--aggregate', 'reports/*.json', '--expected-shards', '2'],
      GITLAB,
      dir,
    );
    expect(missing.exitCode).toBe(1);
    expect(lastLine(missing.stdout)).toContain(
      '1 of 2 expected shards reported (refunds): 1 missing',
    );
    const wrong = await runCli(
      ['--aggregate', 'reports/*.json', '--campaign-name', 'x'],
      { ...GITLAB, GATE_TOKEN: 't' },
      dir,
    );
    expect(wrong.exitCode).toBe(2);
    for (const said of [
      '--expected-shards is required with --aggregate',
      '--campaign-name is not read by an --aggregate step',
      'GATE_TOKEN is not read by an --aggregate step',
    ])
      expect(wrong.stderr).toContain(said);
  });
});

describe('the command line compares with a report of the default branch (--baseline-report)', () => {
  const MAIN = { ...GITLAB, CI_COMMIT_SHA: 'a'.repeat(40), CI_MERGE_REQUEST_IID: '' };

  it('shows the deltas and gates on a drop, as the action does against the base commit', async () => {
    // The same campaign, better on main.
    const campaign = sepurux.campaign('checkout-regression');
    const regressed = campaign.outcome;
    campaign.outcome = {
      decision: 'pass',
      pass_rate: 0.92,
      unsafe_attempts: 0,
      failures: 0,
      reliability_score: 91,
    };
    const base = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'checkout-regression',
        '--report',
        join(dir, 'main.json'),
      ],
      { ...sepuruxEnv(), ...MAIN },
    );
    expect(base.exitCode).toBe(0);
    campaign.outcome = regressed;
    const run = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'checkout-regression',
        '--max-pass-rate-drop',
        '0.05',
        '--baseline-report',
        join(dir, 'main.json'),
        ...files(),
      ],
      sepuruxEnv(),
    );
    expect(run.exitCode).toBe(1);
    expect(lastLine(run.stdout)).toContain(
      'against the base branch: pass rate drop 0.2 > 0.05 (--max-pass-rate-drop)',
    );
    const seen = render(await readFile(join(dir, 'gate.md'), 'utf8'));
    expect(seen.rows[0]).toEqual(['', 'Figure', 'Value', 'Base aaaaaaa (pass)', 'Δ', 'Threshold']);
    expect(seen.rows).toContainEqual(['', 'Pass rate', '0.72', '0.92', '−0.2', '']);
    expect(seen.rows).toContainEqual([
      '❌',
      'Pass rate drop',
      '0.2',
      '—',
      '—',
      '≤ 0.05 (--max-pass-rate-drop)',
    ]);
    expect(
      JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).baseline.record.headSha,
    ).toBe('a'.repeat(40));
  });

  it('reads the history from a folder of earlier reports (--history-dir): new and known failures, the trend, the newest as baseline', async () => {
    const history = join(dir, 'history');
    const campaign = sepurux.campaign('checkout-regression');
    const regressed = campaign.outcome;
    // Three pipelines on main: orders.lookup failed in the middle one, payments.refund never did.
    const mainRuns = [
      { pass_rate: 0.9, top_failing_tools: [] },
      { pass_rate: 0.86, top_failing_tools: [{ tool: 'orders.lookup', count: 1 }] },
      { pass_rate: 0.92, top_failing_tools: [] },
    ];
    for (const [i, outcome] of mainRuns.entries()) {
      campaign.outcome = {
        decision: 'pass',
        unsafe_attempts: 0,
        failures: 0,
        reliability_score: 90,
        ...outcome,
      };
      const sha = `${i + 1}`.repeat(40);
      const run = await runCli(
        [
          '--trace-id',
          'trace-1',
          '--campaign-name',
          'checkout-regression',
          '--report',
          join(history, `main-${i}.json`),
        ],
        { ...sepuruxEnv(), ...MAIN, CI_COMMIT_SHA: sha },
      );
      expect(run.exitCode, run.stderr).toBe(0);
    }
    await import('node:fs/promises').then((fs) => fs.writeFile(join(history, 'broken.json'), '{'));
    campaign.outcome = regressed;
    const gateArgs = [
      '--trace-id',
      'trace-1',
      '--campaign-name',
      'checkout-regression',
      '--max-unsafe',
      '5',
      '--history-dir',
      history,
      '--max-pass-rate-drop',
      '0.05',
      ...files(),
    ];
    const run = await runCli(gateArgs, sepuruxEnv());
    expect(run.exitCode).toBe(1);
    expect(lastLine(run.stdout)).toContain('against the base branch: pass rate drop 0.2 > 0.05');
    // A terminal draws no chart: the log gives the trend as a sparkline.
    expect(run.stderr).toMatch(
      /Base branch pass rate, last 3 comparable verdicts, oldest first: [▁-█]{3} 0\.9 → 0\.92; this change: [▁-█] 0\.72\./,
    );
    const seen = render(await readFile(join(dir, 'gate.md'), 'utf8'));
    const text = seen.text.replaceAll('\u200d', '');
    // The newest report (main-2, written last) is the baseline.
    expect(seen.rows[0]).toEqual([
      '',
      'Figure',
      'Value',
      `Base ${'3'.repeat(7)} (pass)`,
      'Δ',
      'Threshold',
    ]);
    expect(text).toMatch(
      /Base branch \(pass rate, its last 3 comparable verdicts, oldest first\): 0\.9 → 0\.92; this change: 0\.72\./,
    );
    // The markdown file draws the trend as Mermaid by default (GitLab's notes render it).
    expect(mermaidBlocks(await readFile(join(dir, 'gate.md'), 'utf8'))).toHaveLength(1);
    expect(text).toContain('has no verdict of this gate');
    const tools = seen.rows
      .filter((row) => row.length === 3 && row[0] !== 'Tool')
      .map((row) => row.map((cell) => cell.replaceAll('\u200d', '')));
    expect(tools).toEqual([
      ['payments.refund', '3', 'new: never failed in 3 base-branch verdicts'],
      [
        'orders.lookup',
        '2',
        `known: failed in 1 of 3, last passed ${new Date().toISOString().slice(0, 10)} (${'3'.repeat(7)})`,
      ],
    ]);
    // --markdown-chart sparkline: for a page that renders no Mermaid, one line of glyphs and no chart.
    const plain = await runCli([...gateArgs, '--markdown-chart', 'sparkline'], sepuruxEnv());
    expect(plain.exitCode).toBe(1);
    const markdown = await readFile(join(dir, 'gate.md'), 'utf8');
    expect(markdown).not.toContain('```');
    expect(render(markdown).text.replaceAll('\u200d', '')).toMatch(
      /oldest first\): [▁-█]{3} 0\.9 → 0\.92; this change: [▁-█] 0\.72\./,
    );
    // Any other style is bad input, said before any call.
    const wrong = await runCli([...gateArgs, '--markdown-chart', 'svg'], sepuruxEnv());
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('Flag --markdown-chart takes mermaid or sparkline');
  });

  it('takes a report of another backend as no baseline, said plainly, and on-missing-baseline decides', async () => {
    await runCli(
      [
        '--backend',
        'trulayer',
        '--dataset-id',
        DATASET_ID,
        '--eval-version-id',
        EVAL_VERSION_ID,
        '--score-floor',
        '0.5',
        '--report',
        join(dir, 'tl.json'),
      ],
      { GATE_TOKEN: FAKE_TRULAYER_TOKEN, GATE_BASE_URL: servers[1]!.origin, ...MAIN },
    );
    const foreign = await runCli(
      [
        '--trace-id',
        'trace-1',
        '--campaign-name',
        'refund-reliability',
        '--max-pass-rate-drop',
        '0.05',
        '--on-missing-baseline',
        'fail',
        '--baseline-report',
        join(dir, 'tl.json'),
      ],
      sepuruxEnv(),
    );
    expect(foreign.exitCode).toBe(1);
    expect(lastLine(foreign.stdout)).toContain(
      'the baseline report tl.json is of TruLayer, not Sepurux: not comparable; on_missing_baseline: fail',
    );
  });
});

describe('--help', () => {
  it('lists every flag the declarations make, with its variable and default, and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    for (const flag of [
      '--trace-file VALUE',
      '--campaign-name VALUE',
      '--min-pass-rate VALUE',
      '--dataset-id VALUE',
      '--score-floor VALUE',
      '--junit FILE',
      '--report FILE',
      '--markdown FILE',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('(default: 600; env GATE_TIMEOUT)');
    // Secrets are shown by their variable first: a flag's value lands in `ps` and CI logs.
    expect(run.stdout).toContain('GATE_GITHUB_TOKEN (or --github-token VALUE)');
    expect(run.stdout).toContain('GATE_GITLAB_TOKEN (or --gitlab-token VALUE)');
    expect(run.stdout).toContain('--repository VALUE');
  });

  it("keeps within 100 columns and speaks the command line's words, not the action's", async () => {
    const run = await runCli(['--help']);
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.length > 100)).toEqual([]);
    expect(run.stdout).not.toMatch(/the action\b/);
    // An input named as the action writes it (`repeats: auto`, `max_repeats`) is its flag here.
    const named = [...run.stdout.matchAll(/`([a-z_]+)(?:: [^`]+)?`/g)].map((m) => m[1]!);
    expect(named.filter((name) => CLI_INPUTS.some((input) => input.name === name))).toEqual([]);
    expect(run.stdout).toContain('With --repeats auto: most repeats to run.');
  });
});

describe('--version', () => {
  it("prints the package's version and exits 0", async () => {
    const run = await runCli(['--version']);
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`agent-reliability-gate ${version}\n`);
  });
});

describe('a wrong backend credential', () => {
  it("is said in the command line's words: GATE_TOKEN, not the action's `token`", async () => {
    const run = await runCli(['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'], {
      ...sepuruxEnv(),
      GATE_TOKEN: 'sx_wrong',
    });
    expect(run.exitCode).toBe(1);
    expect(lastLine(run.stdout)).toMatch(
      /^fail: .*HTTP 401.*Check that GATE_TOKEN holds a valid credential/,
    );
    expect(run.stdout).not.toContain('`token`');
  });
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../support/fake-sepurux.js';
import {
  DATASET_ID,
  EVAL_VERSION_ID,
  FAKE_TRULAYER_TOKEN,
  FakeTruLayer,
} from '../support/fake-trulayer.js';
import { runCli } from '../support/runner.js';
import { render } from '../support/render.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';
import { scratchDir } from '../support/scratch.js';
import { repositoryOnFeatureBranch } from '../support/git.js';

// Many gates from the built command line (`--config`), as a GitLab job runs it, against the fakes.
let sepurux = new FakeSepurux();
let trulayer = new FakeTruLayer();
let servers: ServedHandlers[];
let dir: string;
beforeAll(async () => {
  servers = await Promise.all([
    serveHandlers(() => sepurux.handlers()),
    serveHandlers(() => trulayer.handlers()),
  ]);
});
beforeEach(() => {
  sepurux = new FakeSepurux();
  trulayer = new FakeTruLayer();
  dir = scratchDir('cli-gates');
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const env = (sha = 'c0ffee'.padEnd(40, '0')) => ({
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PROJECT_PATH: 'acme/agents',
  CI_MERGE_REQUEST_IID: '42',
  CI_COMMIT_SHA: sha,
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5005',
  GATE_TOKEN: FAKE_TOKEN,
  GATE_PROJECT_ID: FAKE_PROJECT_ID,
  GATE_BASE_URL: servers[0]!.origin,
  SEARCH_TRULAYER_KEY: FAKE_TRULAYER_TOKEN,
  // The pipeline allows what the file's TruLayer entry uses: its variable and its API root.
  GATE_ALLOWED_TOKEN_ENV: 'SEARCH_TRULAYER_KEY',
  GATE_ALLOWED_BASE_URLS: servers[1]!.origin,
});

/** A repository of three agents: two on Sepurux, one on TruLayer with its own credential. */
const config = () => `gates:
  - name: support-agent
    paths: [agents/support/**]
    trace_id: trace-1
    campaign_name: refund-reliability
  - name: checkout-agent
    paths: [agents/checkout/**]
    trace_id: trace-1
    campaign_name: checkout-regression
  - name: search-agent
    paths: [agents/search/**]
    backend: trulayer
    base_url: ${servers[1]!.origin}
    token_env: SEARCH_TRULAYER_KEY
    dataset_id: ${DATASET_ID}
    eval_version_id: ${EVAL_VERSION_ID}
    score_floor: 0.5
`;

function workspace(): string {
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config());
  return dir;
}

const outputs = ['--report', 'gate.json', '--junit', 'gate.xml', '--markdown', 'gate.md'];
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const junitSuites = () =>
  (
    new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['testsuite', 'testcase'].includes(name),
    }).parse(read('gate.xml')) as {
      testsuites: {
        testsuite: {
          name: string;
          testcase: { name: string; failure?: unknown; skipped?: unknown }[];
        }[];
      };
    }
  ).testsuites.testsuite;

describe('many gates from the command line', () => {
  it('runs the entries --changed-files reaches, a TruLayer one on its own credential, and writes every file for all', async () => {
    const cwd = workspace();
    writeFileSync(
      join(cwd, 'changed.txt'),
      'agents/search/prompt.md\n./agents/support/tools.py\n\n',
    );
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt', ...outputs],
      env(),
      cwd,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^pass: 2 of the 2 gates that ran passed/);
    expect(run.stderr).toContain('2 of 3 gates ran, chosen by the 2 files listed in changed.txt.');
    // Each backend got its own credential, and only the entries that ran were evaluated.
    expect(
      sepurux.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')),
    ).toHaveLength(1);
    expect(JSON.stringify(trulayer.requests)).toContain(FAKE_TRULAYER_TOKEN);
    expect(JSON.stringify(trulayer.requests)).not.toContain(FAKE_TOKEN);
    expect(run.stderr).not.toContain(FAKE_TRULAYER_TOKEN);

    const report = JSON.parse(read('gate.json'));
    expect(report).toMatchObject({ version: 1, checkName: 'Reliability gates', decision: 'pass' });
    expect(
      report.gates.entries.map((e: { name: string; ran: boolean }) => [e.name, e.ran]),
    ).toEqual([
      ['support-agent', true],
      ['checkout-agent', false],
      ['search-agent', true],
    ]);
    expect(report.gates.entries[2].verdict).toMatchObject({
      backend: 'TruLayer',
      outcome: 'evaluated',
    });
    expect(JSON.stringify(report)).not.toContain(FAKE_TRULAYER_TOKEN);

    const suites = junitSuites();
    expect(suites.map((s) => s.name)).toEqual([
      'Reliability gates / support-agent',
      'Reliability gates / checkout-agent',
      'Reliability gates / search-agent',
    ]);
    expect(suites[1]!.testcase[0]!.skipped).toBeDefined();

    const page = render(read('gate.md'));
    expect(page.html).toContain('<h3>✅ support-agent: pass</h3>');
    expect(page.html).toContain('<h3>✅ search-agent: pass</h3>');
    expect(page.text).toMatch(/Not affected \(1;[^]*checkout-agent: agents\/checkout\/\*\*/);
  });

  it("reads the change from git with --changed-since, refuses a revision git does not know, and runs everything when GitLab's diff base is not fetched", async () => {
    const cwd = workspace();
    const git = repositoryOnFeatureBranch(cwd);
    mkdirSync(join(cwd, 'agents/checkout'), { recursive: true });
    writeFileSync(join(cwd, 'agents/checkout/tools.py'), 'print(1)\n');
    git('add', '-A');
    git('commit', '-qm', 'change checkout');
    const run = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-since', 'main', ...outputs],
      env(),
      cwd,
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(
      /^fail: The only gate that ran failed: `checkout-agent`/,
    );
    expect(run.stderr).toContain('1 of 3 gates ran, chosen by the 1 file changed since main');

    // A revision typed by hand that git does not know is a typo: refused, nothing run.
    sepurux = new FakeSepurux();
    const typo = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-since', 'origin/mian'],
      env(),
      cwd,
    );
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain(
      'Flag --changed-since names "origin/mian", which git does not know here',
    );
    expect(sepurux.requests).toEqual([]);
    // GitLab's own diff base, missing from a shallow clone: every gate runs, warned.
    const unknown = await runCli(
      ['--config', '.github/reliability-gates.yml'],
      { ...env(), CI_MERGE_REQUEST_DIFF_BASE_SHA: 'ba5e'.padEnd(40, '0') },
      cwd,
    );
    expect(unknown.stderr).toContain(
      `Every gate ran: git could not compare ${'ba5e'.padEnd(40, '0')}`,
    );
    expect(unknown.stderr).toMatch(/warning/i);
    expect(
      sepurux.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')),
    ).toHaveLength(2);
  });

  it("reads git's quoted names in --changed-files as git means them, and a file moved away under its old name", async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'agents/support'), { recursive: true });
    writeFileSync(join(cwd, 'agents/support/prompt.md'), 'Be kind.\n'.repeat(20));
    const git = repositoryOnFeatureBranch(cwd);
    mkdirSync(join(cwd, 'agents/checkout'), { recursive: true });
    writeFileSync(join(cwd, 'agents/checkout/café "v2".py'), 'print(1)\n');
    git('add', '-A');
    git('commit', '-qm', 'checkout');
    // As the help says to make it: git quotes the name (core.quotePath), `"agents/checkout/caf\303\251 \"v2\".py"`.
    const listed = git('diff', '--name-only', '--no-renames', 'main...HEAD').toString();
    expect(listed).toContain('\\303\\251');
    writeFileSync(join(cwd, 'changed.txt'), listed);
    const quoted = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'changed.txt'],
      env(),
      cwd,
    );
    expect(quoted.stderr).toContain('1 of 3 gates ran, chosen by the 1 file listed in changed.txt');
    expect(quoted.stdout.trim().split('\n').at(-1)).toMatch(/^fail: .*`checkout-agent`/);

    // A commit that only moves support's prompt elsewhere: it changed support-agent's paths too.
    git('checkout', '-q', 'main');
    git('checkout', '-qb', 'move');
    mkdirSync(join(cwd, 'docs'), { recursive: true });
    git('mv', 'agents/support/prompt.md', 'docs/prompt.md');
    git('commit', '-qm', 'move');
    sepurux = new FakeSepurux();
    const moved = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-since', 'main'],
      env(),
      cwd,
    );
    expect(moved.stderr).toContain('1 of 3 gates ran, chosen by the 2 files changed since main');
    expect(moved.stdout.trim().split('\n').at(-1)).toMatch(/^pass: .*`support-agent`/);
  });

  it('refuses, before any call and in its own words, what it cannot read', async () => {
    const cwd = workspace();
    const alone = await runCli(
      ['--changed-files', 'changed.txt', '--trace-id', 't', '--campaign-name', 'x'],
      env(),
      cwd,
    );
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain(
      'Flag --changed-files chooses which gates of a --config file run; set --config too',
    );
    writeFileSync(join(cwd, 'empty.txt'), '');
    const empty = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'empty.txt'],
      env(),
      cwd,
    );
    expect(empty.stderr).toContain('Every gate ran: empty.txt lists no changed file');
    sepurux = new FakeSepurux();
    const missing = await runCli(
      ['--config', '.github/reliability-gates.yml', '--changed-files', 'nope.txt'],
      env(),
      cwd,
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Flag --changed-files names "nope.txt", which does not exist');
    writeFileSync(
      join(cwd, '.github/reliability-gates.yml'),
      'gates:\n  - name: a\n    min_pass_rat: 0.9\n    campaign_name: x\n',
    );
    const typo = await runCli(['--config', '.github/reliability-gates.yml'], env(), cwd);
    expect(typo.exitCode).toBe(2);
    // The file's key, as the file spells it, not a flag.
    expect(typo.stderr).toContain(
      'gate `a`: `min_pass_rat` is not a key of an entry; did you mean `min_pass_rate`?',
    );
    expect(sepurux.requests).toEqual([]);
  });

  it('compares each entry with its own verdicts in --history-dir, walking past a report where it did not run', async () => {
    const cwd = workspace();
    const history = join(dir, 'history');
    mkdirSync(history);
    // Main, two commits back: every entry ran.
    const old = await runCli(
      ['--config', '.github/reliability-gates.yml', '--report', join(history, '1.json')],
      env('a'.repeat(40)),
      cwd,
    );
    expect(old.stderr).toContain('Every gate ran');
    // Main's newest report: only the support agent ran.
    writeFileSync(join(cwd, 'changed.txt'), 'agents/support/a.py\n');
    await runCli(
      [
        '--config',
        '.github/reliability-gates.yml',
        '--changed-files',
        'changed.txt',
        '--report',
        join(history, '2.json'),
      ],
      env('b'.repeat(40)),
      cwd,
    );
    // The merge request changes checkout: its baseline is the report where it last ran.
    writeFileSync(join(cwd, 'changed.txt'), 'agents/checkout/a.py\nagents/support/a.py\n');
    const run = await runCli(
      [
        '--config',
        '.github/reliability-gates.yml',
        '--changed-files',
        'changed.txt',
        '--history-dir',
        history,
        ...outputs,
      ],
      env(),
      cwd,
    );
    const report = JSON.parse(read('gate.json'));
    const [support, checkout] = report.gates.entries;
    expect(support.verdict.baseline.record.headSha).toBe('b'.repeat(40));
    expect(checkout.verdict.baseline.record.headSha).toBe('a'.repeat(40));
    expect(checkout.verdict.history).toMatchObject({ read: 1, comparable: 1 });
    expect(run.exitCode).toBe(1);
  });
  it("names an entry the merge request removes or renames, with --baseline-report's verdict, and warns (exit 0)", async () => {
    const cwd = workspace();
    const two = (second: string) =>
      `gates:\n  - name: ${second}\n    paths: [agents/support/**]\n    trace_id: trace-1\n    campaign_name: refund-reliability\n  - name: billing-agent\n    paths: [agents/billing/**]\n    trace_id: trace-1\n    campaign_name: refund-reliability\n`;
    writeFileSync(join(cwd, '.github/reliability-gates.yml'), two('support-agent'));
    const main = await runCli(
      ['--config', '.github/reliability-gates.yml', '--report', join(dir, 'main.json')],
      env('a'.repeat(40)),
      cwd,
    );
    expect(main.exitCode, main.stderr).toBe(0);
    writeFileSync(join(cwd, 'changed.txt'), '.github/reliability-gates.yml\nagents/support/a.py\n');
    const change = (config: string) => {
      writeFileSync(join(cwd, '.github/reliability-gates.yml'), config);
      return runCli(
        [
          '--config',
          '.github/reliability-gates.yml',
          '--changed-files',
          'changed.txt',
          '--baseline-report',
          join(dir, 'main.json'),
          ...outputs,
        ],
        env(),
        cwd,
      );
    };
    for (const config of [
      'gates:\n  - name: billing-agent\n    paths: [agents/billing/**]\n    trace_id: trace-1\n    campaign_name: refund-reliability\n',
      two('support-bot'),
    ]) {
      const run = await change(config);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n').at(-1)).toMatch(
        /^warn: Removed by this change, with the base commit's last verdict: `support-agent` \(pass on aaaaaaa\)/,
      );
      const report = JSON.parse(read('gate.json'));
      expect(report.decision).toBe('warn');
      expect(report.gates.removed).toEqual([
        { name: 'support-agent', decision: 'pass', sha: 'a'.repeat(40) },
      ]);
      expect(render(read('gate.md')).text).toContain(
        "support-agent: the base commit's last verdict ✅ pass (aaaaaaa)",
      );
      expect(junitSuites().at(-1)).toMatchObject({
        name: 'Reliability gates / support-agent',
        testcase: [{ skipped: expect.anything() }],
      });
    }
  });
});

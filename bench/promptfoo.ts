/**
 * The promptfoo rows of `npm run bench`: a results file of 20,000 rows (about 100 MB) gated end to
 * end by the bundled command line, against `node -e` reading and `JSON.parse`-ing the same file.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promptfooJson } from '../test/support/promptfoo.js';
import { ACTION_NODE, runCli } from '../test/support/runner.js';
import { scratchDir } from '../test/support/scratch.js';

/** A row of the bench's table (bench/run.ts). */
export interface BenchRow {
  measure: string;
  value: string;
  target?: string;
  met?: boolean;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const RSS_PROBE = pathToFileURL(join(here, 'rss-probe.mjs')).href;
/** A sentence of an agent's answer: the rows' outputs are as long as a real model's, not a word. */
const ANSWER_LINE =
  'The order was found in the billing system; the refund is issued to the original payment method within five business days, and the customer gets an email confirming it. ';

/**
 * Writes a results file of `count` rows, each a copy of a real row promptfoo 0.123.1 wrote
 * (test/fixtures: a pass, an assertion failure and a provider error of the search suite), with its
 * own `testIdx`, description and vars (so each row is its own case), a model-length answer, and
 * `results.stats` counting what the rows are: 1 row in 10 fails, 1 in 40 errors. Returns the counts.
 */
export function writePromptfooResults(
  path: string,
  count: number,
): { successes: number; failures: number; errors: number } {
  const real = promptfooJson('errors');
  const kinds = [0, 1, 2].map((reason) => {
    const row = real.results.results.find((r) => r.failureReason === reason);
    if (!row) throw new Error(`the real results file has no row with failureReason ${reason}`);
    return row;
  });
  const stats = { successes: 0, failures: 0, errors: 0 };
  const answer = ANSWER_LINE.repeat(9);
  const rows = Array.from({ length: count }, (_, i) => {
    const reason = i % 40 === 7 ? 2 : i % 10 === 3 ? 1 : 0;
    stats[(['successes', 'failures', 'errors'] as const)[reason]]++;
    const row = structuredClone(kinds[reason]!) as Record<string, any>;
    const vars = { ...row.vars, query: `${row.vars.query} ${i}`, order_id: `ord-${100000 + i}` };
    row.testIdx = i;
    row.id = `row-${i}`;
    row.vars = vars;
    row.testCase.vars = vars;
    row.testCase.description = `${row.testCase.description} #${i}`;
    if (row.response?.output !== undefined)
      row.response.output = `${row.response.output}. ${answer}`;
    return row;
  });
  const file = {
    ...real,
    results: { ...real.results, results: rows, stats: { ...real.results.stats, ...stats } },
  };
  // promptfoo writes `-o results.json` indented by 2.
  writeFileSync(path, JSON.stringify(file, null, 2));
  return stats;
}

/** Wall time (ms) and peak RSS (bytes) of one process, its RSS recorded by rss-probe.mjs at exit. */
async function measured(
  run: (env: Record<string, string>) => Promise<number | null>,
  rssFile: string,
): Promise<{ ms: number; rss: number }> {
  const started = performance.now();
  const code = await run({ NODE_OPTIONS: `--import=${RSS_PROBE}`, BENCH_RSS_FILE: rssFile });
  const ms = performance.now() - started;
  if (code !== 0 && code !== 1) throw new Error(`a promptfoo bench process exited ${code}`);
  return { ms, rss: Number(readFileSync(rssFile, 'utf8')) * 1024 };
}

/** `node -e` reading the file and parsing it: what any reader of the file pays, at the least. */
function parseOnly(file: string) {
  return (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(
        ACTION_NODE,
        ['-e', 'JSON.parse(require("node:fs").readFileSync(process.env.BENCH_FILE, "utf8"))'],
        { stdio: 'ignore', env: { PATH: process.env.PATH ?? '', BENCH_FILE: file, ...env } },
      );
      child.on('close', resolve);
    });
}

/** The bundled command line judging the file, writing its report, as a CI job would run it. */
function gate(dir: string, expected: string) {
  return async (env: Record<string, string>) => {
    const run = await runCli(
      // 1 row in 40 errors (97.5% evaluated) and the pass rate is 0.90: a pass, over 2,000 failing cases.
      [
        '--backend',
        'promptfoo',
        '--results-file',
        'results.json',
        '--min-pass-rate',
        '0.85',
        '--min-coverage',
        '95',
        '--report',
        'report.json',
      ],
      { TMPDIR: dir, ...env },
      dir,
    );
    if (run.exitCode !== 0 || !run.stdout.includes(expected))
      throw new Error(`the gate did not pass the file: ${run.stdout}${run.stderr}`);
    return run.exitCode;
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The promptfoo rows: time and peak memory of the whole gate beside a bare `JSON.parse`. */
export async function promptfooScale(
  quick: boolean,
  record: (row: BenchRow) => void,
): Promise<void> {
  const count = quick ? 200 : 20_000;
  const runs = quick ? 1 : 5;
  const dir = scratchDir('bench-promptfoo');
  const file = join(dir, 'results.json');
  const stats = writePromptfooResults(file, count);
  const bytes = statSync(file).size;
  const evaluated = stats.successes + stats.failures;
  const expected = `${stats.successes} of ${evaluated} rows`;
  const parse: { ms: number; rss: number }[] = [];
  const whole: { ms: number; rss: number }[] = [];
  // Interleaved, so that a busy moment of the machine hits both alike.
  for (let i = 0; i < runs; i++) {
    parse.push(await measured(parseOnly(file), join(dir, 'rss-parse.txt')));
    whole.push(await measured(gate(dir, expected), join(dir, 'rss-gate.txt')));
  }
  const [parseMs, gateMs] = [median(parse.map((p) => p.ms)), median(whole.map((w) => w.ms))];
  const [parseRss, gateRss] = [
    Math.max(...parse.map((p) => p.rss)),
    Math.max(...whole.map((w) => w.rss)),
  ];
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  const size = `promptfoo results file, ${count.toLocaleString('en')} rows (${mb(bytes)})`;
  const ratio = gateMs / parseMs;
  record({
    measure: `${size}: whole gate vs \`node -e\` JSON.parse, median of ${runs}`,
    value: `${(gateMs / 1000).toFixed(2)} s vs ${(parseMs / 1000).toFixed(2)} s = ${ratio.toFixed(2)}×`,
    ...(quick ? {} : { target: '≤ 1.5× the parse', met: ratio <= 1.5 }),
  });
  record({
    measure: `${size}: peak RSS, whole gate vs \`node -e\` JSON.parse`,
    value: `${mb(gateRss)} (${(gateRss / bytes).toFixed(2)}× the file) vs ${mb(parseRss)}`,
    ...(quick ? {} : { target: '≤ 3× the file', met: gateRss <= 3 * bytes }),
  });
}

/**
 * `npm run bench`: time to verdict, requests spent, start-up and memory of the bundled action
 * and command line, against the same fake backends the tests use, served on 127.0.0.1.
 * `npm run bench -- --write` also writes BENCHMARKS.md; `npm run bench -- --quick` is the smoke
 * run CI does (tiny sizes); `npm run bench -- --only cost,errors` runs those measures alone.
 *
 * This file is the table of contents: each measure lives in bench/<topic>.ts (what it measures),
 * the rows and switches they share in bench/common.ts. A new measure is one import and one line
 * of MEASURES.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { ACTION_NODE } from '../test/support/runner.js';
import { removeScratchDirs } from '../test/support/scratch.js';
import { quick, only, record, rows, seconds, sections } from './common.js';
import { decisionLag } from './lag.js';
import { coldStart } from './start.js';
import { historyCost } from './history.js';
import { aggregateScale, bigBatch, largeTrace } from './scale.js';
import { operatingCharacteristics, repeatsWallTime } from './repeats.js';
import { autoCost, errorCost } from './auto-cost.js';
import { sequentialRules } from './sequential.js';
import { manyGates } from './gates.js';
import { promptfooScale } from './promptfoo.js';
import { caseRegression } from './regression.js';
import { wrongUrl } from './wrong-url.js';

const outFile = process.argv.includes('--write') && !quick && !only ? 'BENCHMARKS.md' : undefined;

const started = Date.now();
const actionNodeVersion = await new Promise<string>((resolve) => {
  const child = spawn(ACTION_NODE, ['--version']);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.on('close', () => resolve(out.trim()));
});
console.log(
  `Benchmark${quick ? ' (quick smoke run)' : ''}: action on ${actionNodeVersion}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`,
);
const MEASURES: Record<string, () => Promise<void>> = {
  lag: decisionLag,
  start: coldStart,
  history: historyCost,
  'large-trace': largeTrace,
  batch: bigBatch,
  aggregate: aggregateScale,
  repeats: repeatsWallTime,
  oc: operatingCharacteristics,
  cost: autoCost,
  sequential: async () => sequentialRules(),
  errors: errorCost,
  gates: manyGates,
  promptfoo: () => promptfooScale(quick, record),
  'wrong-url': () => wrongUrl(quick, record),
  regression: async () =>
    void ((r) => (r.rows.forEach(record), sections.push(r.section)))(caseRegression(quick)),
};
const unknown = only?.filter((name) => !MEASURES[name]);
if (unknown?.length)
  throw new Error(`--only takes one or more of ${Object.keys(MEASURES).join(', ')}`);
try {
  for (const [name, measure] of Object.entries(MEASURES))
    if (!only || only.includes(name)) await measure();
} finally {
  // The runner folders every run was handed go, whatever happened: nothing is left in $TMPDIR.
  removeScratchDirs();
}
console.log(`\nDone in ${seconds(Date.now() - started)}.`);

if (outFile) {
  const table = [
    '| measure | value | target |',
    '| --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.measure} | ${r.value} | ${r.target ? `${r.met ? '✅ met' : '❌ not met'}: ${r.target}` : ''} |`,
    ),
  ];
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB; action run by Node ${actionNodeVersion}; harness Node ${process.version}`;
  const previous = await readFile(outFile, 'utf8').catch(() => '');
  const notes = previous.includes('<!-- notes -->')
    ? previous.slice(previous.indexOf('<!-- notes -->'))
    : '<!-- notes -->\n';
  await writeFile(
    outFile,
    `# Benchmarks\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}. Run time ${seconds(Date.now() - started)}.\n\n${table.join('\n')}\n\n${sections.map((s) => `${s}\n\n`).join('')}${notes}`,
  );
  console.log(`Wrote ${outFile}.`);
}

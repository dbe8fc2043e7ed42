// A stand-in for `npx`, for the tests of the examples only (test/support/promptfoo-stand-in.ts
// puts it on PATH as `npx`): promptfoo installs about 1.5 GB and the tests run offline, so
// `npx [--yes] promptfoo@<version> eval ... -o FILE` copies a results file the real promptfoo
// wrote (test/fixtures/promptfoo/results/) to FILE, and exits as promptfoo would. It refuses
// loudly what it cannot stand in for, so an example it runs cannot pass by accident:
// - promptfoo without a version, or of another version than the one that wrote the fixtures;
// - a promptfoo command other than `eval`, an `eval` without `-o`/`--output`, an output that is
//   not a .json file, a config (`-c`, or promptfooconfig.yaml) that is not there.
// Every other `npx` call (the gate's own `npx --yes file:<tarball>` in the GitLab tests) goes
// to the real npx. Each eval it stands in for is appended to a log the tests read.
//
// Its settings come from the wrapper the tests write (variables, so that the example's own
// environment cannot set them): PROMPTFOO_STAND_IN_RESULTS (the file to copy),
// PROMPTFOO_STAND_IN_VERSION, PROMPTFOO_STAND_IN_NPX (the real npx), PROMPTFOO_STAND_IN_LOG.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) fail(`${name} is not set: start it through test/support/promptfoo-stand-in.ts`);
  return value;
};
function fail(message) {
  process.stderr.write(`promptfoo stand-in (test/support/promptfoo-npx.mjs): ${message}\n`);
  process.exit(97);
}

const args = process.argv.slice(2);
// npx's own flags come before the package (`--yes`, `-y`); the package is the first other word.
const at = args.findIndex((arg) => !arg.startsWith('-'));
const pkg = at === -1 ? undefined : args[at];
if (!pkg || !/^promptfoo(@|$)/.test(pkg)) {
  const real = spawnSync(env('PROMPTFOO_STAND_IN_NPX'), args, { stdio: 'inherit' });
  process.exit(real.status ?? 1);
}

const version = env('PROMPTFOO_STAND_IN_VERSION');
if (pkg !== `promptfoo@${version}`)
  fail(
    `${pkg}: pin promptfoo's version (promptfoo@${version}, the version that wrote the results files the tests copy)`,
  );
const [command, ...rest] = args.slice(at + 1);
if (command !== 'eval') fail(`promptfoo ${command ?? ''}: only \`promptfoo eval\` is stood in for`);

const outputs = [];
let config = 'promptfooconfig.yaml';
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
  if (flag === '-o' || flag === '--output') {
    // promptfoo's -o takes one path or more.
    if (inline !== undefined) outputs.push(inline);
    while (rest[i + 1] !== undefined && !rest[i + 1].startsWith('-')) outputs.push(rest[++i]);
  } else if (flag === '-c' || flag === '--config') {
    config = inline ?? rest[++i] ?? '';
  }
}
if (outputs.length === 0)
  fail('promptfoo eval without -o FILE: the gate reads the file it writes, and none would be');
const notJson = outputs.filter((path) => !path.endsWith('.json'));
if (notJson.length > 0) fail(`-o ${notJson.join(' ')}: the stand-in writes JSON results only`);
if (!existsSync(config)) fail(`the config ${config} is not in ${process.cwd()}`);

const results = env('PROMPTFOO_STAND_IN_RESULTS');
for (const output of outputs) {
  mkdirSync(dirname(resolve(output)), { recursive: true });
  copyFileSync(results, output);
}
appendFileSync(
  env('PROMPTFOO_STAND_IN_LOG'),
  `${JSON.stringify({ cwd: process.cwd(), args, outputs, config, results })}\n`,
);
process.stderr.write(
  `promptfoo stand-in: wrote ${outputs.join(', ')} from ${results} (the real promptfoo ${version} wrote it)\n`,
);

// promptfoo exits 100 when a test failed or errored, unless PROMPTFOO_FAILED_TEST_EXIT_CODE says otherwise.
const { stats } = JSON.parse(readFileSync(results, 'utf8')).results;
if (stats.failures > 0 || stats.errors > 0)
  process.exit(Number(process.env.PROMPTFOO_FAILED_TEST_EXIT_CODE ?? 100));

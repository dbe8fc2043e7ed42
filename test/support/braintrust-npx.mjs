// A stand-in for `npx`, for the tests of the examples only (test/support/braintrust-stand-in.ts
// puts it on PATH as `npx`): the tests run offline, so `npx [--yes] braintrust@<version> eval
// FILE...` logs the experiment the real `braintrust eval` would, in the fake Braintrust: it
// creates the experiment named by BRAINTRUST_EXPERIMENT (as examples/braintrust/support.eval.js
// names it) in the fake's project, with the key in BRAINTRUST_API_KEY, through the API
// (`POST /v1/experiment`); the fake gives it passing rows. It refuses loudly what it cannot
// stand in for: an unpinned or other version, a command other than `eval`, an eval file that is
// not there, no BRAINTRUST_API_KEY or BRAINTRUST_EXPERIMENT. Every other `npx` call goes to the
// next `npx` on PATH (the promptfoo stand-in, then the real one).
//
// Its settings come from the wrapper the tests write: BRAINTRUST_STAND_IN_VERSION,
// BRAINTRUST_STAND_IN_API (the fake's origin), BRAINTRUST_STAND_IN_PROJECT_ID, BRAINTRUST_STAND_IN_BIN.
/* global fetch */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

function fail(message) {
  process.stderr.write(`braintrust stand-in (test/support/braintrust-npx.mjs): ${message}\n`);
  process.exit(97);
}
const env = (name) => process.env[name] || fail(`${name} is not set`);

const args = process.argv.slice(2);
const at = args.findIndex((arg) => !arg.startsWith('-'));
const pkg = at === -1 ? undefined : args[at];
if (!pkg || !/^braintrust(@|$)/.test(pkg)) {
  const own = resolve(env('BRAINTRUST_STAND_IN_BIN'));
  const next = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && resolve(dir) !== own)
    .map((dir) => join(dir, 'npx'))
    .find((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (!next) fail('no other npx on PATH');
  process.exit(spawnSync(next, args, { stdio: 'inherit' }).status ?? 1);
}
const version = env('BRAINTRUST_STAND_IN_VERSION');
if (pkg !== `braintrust@${version}`)
  fail(`${pkg}: pin braintrust's version (braintrust@${version})`);
const [command, ...files] = args.slice(at + 1);
if (command !== 'eval')
  fail(`braintrust ${command ?? ''}: only \`braintrust eval\` is stood in for`);
const evals = files.filter((f) => !f.startsWith('-'));
if (evals.length === 0) fail('braintrust eval without an eval file');
for (const file of evals)
  if (!existsSync(file)) fail(`the eval file ${file} is not in ${process.cwd()}`);
const key =
  process.env.BRAINTRUST_API_KEY ||
  fail('BRAINTRUST_API_KEY is not set: braintrust eval logs nothing without it');
const name = env('BRAINTRUST_EXPERIMENT');
const answer = await fetch(`${env('BRAINTRUST_STAND_IN_API')}/v1/experiment`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ project_id: env('BRAINTRUST_STAND_IN_PROJECT_ID'), name }),
});
if (!answer.ok) fail(`POST /v1/experiment answered ${answer.status}: ${await answer.text()}`);
process.stderr.write(`braintrust stand-in: logged experiment "${name}" (${evals.join(', ')})\n`);

/** Start-up: each bundle's own start, the whole gate on loopback, and the bundles' sizes. */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import {
  ACTION_ENTRY,
  ACTION_NODE,
  CLI_ENTRY,
  runAction,
  runCli,
  stepEnvironment,
} from '../test/support/runner.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { median, quick, record, runnerTemp } from './common.js';

async function timeProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const started = performance.now();
  // The action writes its report file under RUNNER_TEMP: a folder of the benchmark's, removed at the end.
  const child = spawn(command, args, {
    stdio: 'ignore',
    env: { ...process.env, RUNNER_TEMP: runnerTemp, ...env },
  });
  await new Promise((resolve) => child.on('close', resolve));
  return performance.now() - started;
}

/** The medians of `runs` runs of each command, interleaved so that a busy moment hits them all alike. */
async function interleaved(
  runs: number,
  commands: Record<string, { args: string[]; env?: Record<string, string> }>,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(commands).map((name) => [name, []]),
  );
  for (let i = 0; i < runs; i++)
    for (const [name, { args, env }] of Object.entries(commands))
      times[name]!.push(await timeProcess(ACTION_NODE, args, env));
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

/** Bytes of a bundle: its entry and the chunks it loads lazily. */
async function bundleSize(entry: string): Promise<string> {
  const dir = join(entry, '..');
  const chunks = (await readdir(dir)).filter((file) => /^\d+\.index\.js$/.test(file));
  const sizes = await Promise.all(chunks.map(async (file) => (await stat(join(dir, file))).size));
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return `${kib((await stat(entry)).size)} loaded at start${chunks.length ? ` + ${sizes.map(kib).join(', ')} loaded when used` : ''}`;
}

export async function coldStart() {
  const runs = quick ? 3 : 15;
  // Each bundle's own start: it reads its inputs, finds the token missing and exits; no request
  // (the action started as the runner starts it, with GitHub reporting turned off).
  const step = await stepEnvironment({
    inputs: { github_token: '' },
    github: { origin: 'http://127.0.0.1:9', token: '' },
  });
  const starts = await interleaved(runs, {
    bare: { args: ['-e', '0'] },
    action: { args: [ACTION_ENTRY], env: step.env },
    cli: { args: [CLI_ENTRY] },
  });
  const bare = [starts.bare!];
  record({ measure: `\`node -e 0\`, median of ${runs}`, value: `${starts.bare!.toFixed(0)} ms` });
  record({
    measure: "action bundle's own start (reads inputs, exits)",
    value: `${starts.action!.toFixed(0)} ms = ${(starts.action! / starts.bare!).toFixed(2)}× \`node -e 0\``,
    target: '≤ 3×',
    met: starts.action! / starts.bare! <= 3,
  });
  record({
    measure: "command line's own start (reads flags, exits)",
    value: `${starts.cli!.toFixed(0)} ms = ${(starts.cli! / starts.bare!).toFixed(2)}× \`node -e 0\``,
    target: "≤ the action's",
    met: starts.cli! <= starts.action!,
  });
  const fake = new FakeSepurux();
  // Validation against GitHub's 10 MB description would be timed as the action's.
  const github = new FakeGitHub({ validate: false });
  const backend = await serveHandlers(() => fake.handlers());
  const api = await serveHandlers(() => github.handlers());
  const gate: number[] = [];
  let requests = { backend: 0, github: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const before = { backend: fake.requests.length, github: github.requests.length };
      const run = await runAction({
        inputs: {
          base_url: `${backend.origin}/api`,
          token: FAKE_TOKEN,
          project_id: FAKE_PROJECT_ID,
          trace_file: 'examples/traces/refund_flow.json',
          campaign_name: 'refund-reliability',
        },
        eventName: 'pull_request',
        payload: webhookExample('pull_request', 'opened'),
        github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
      });
      if (run.exitCode !== 0) throw new Error(`the gate failed: ${run.outputs.reason}`);
      gate.push(run.durationMs);
      requests = {
        backend: fake.requests.length - before.backend,
        github: github.requests.length - before.github,
      };
    }
  } finally {
    await Promise.all([backend.close(), api.close()]);
  }
  const cliGate: number[] = [];
  const cliBackend = await serveHandlers(() => fake.handlers());
  try {
    for (let i = 0; i < runs; i++) {
      const run = await runCli(
        [
          '--trace-file',
          'examples/traces/refund_flow.json',
          '--campaign-name',
          'refund-reliability',
        ],
        {
          GATE_TOKEN: FAKE_TOKEN,
          GATE_PROJECT_ID: FAKE_PROJECT_ID,
          GATE_BASE_URL: `${cliBackend.origin}/api`,
        },
      );
      if (run.exitCode !== 0) throw new Error(`the command line failed: ${run.stdout}`);
      cliGate.push(run.durationMs);
    }
  } finally {
    await cliBackend.close();
  }
  const ratio = median(gate) / median(bare);
  record({
    measure: 'action: whole gate on loopback (upload, lookup, start, poll, check, comment)',
    value: `${median(gate).toFixed(0)} ms = ${ratio.toFixed(2)}× \`node -e 0\``,
    target: '≤ 5× `node -e 0`',
    met: ratio <= 5,
  });
  record({
    measure: 'command line: whole gate on loopback (upload, lookup, start, poll)',
    value: `${median(cliGate).toFixed(0)} ms = ${(median(cliGate) / median(bare)).toFixed(2)}× \`node -e 0\``,
  });
  record({
    measure: 'requests per verdict (backend + GitHub)',
    value: `${requests.backend} + ${requests.github}`,
  });
  record({ measure: 'action bundle (dist/)', value: await bundleSize(ACTION_ENTRY) });
  record({ measure: 'command line bundle (dist/cli/)', value: await bundleSize(CLI_ENTRY) });
}

import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch.js';

/** The bundled action, as `uses:` runs it. */
export const ACTION_ENTRY = resolve(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
/** The bundled command line, as `npx agent-reliability-gate` runs it. */
export const CLI_ENTRY = resolve(fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url)));

/**
 * The Node binary that runs the action: `GATE_E2E_NODE` when set (CI points it at Node 24,
 * the runtime `runs.using: node24` gets), else this process's own.
 */
export const ACTION_NODE = process.env.GATE_E2E_NODE || process.execPath;

/** What the runner saw of one run of the action. */
export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** `::error::` / `::warning::` / `::notice::` messages, decoded as the runner shows them. */
  annotations: { level: string; message: string }[];
  summary: string;
  durationMs: number;
  /** `Date.now()` when the process exited. */
  exitedAt: number;
  /** `Date.now()` when `cancelWhen` sent its signal. */
  signalledAt?: number;
  /** The files the runner handed the action, for leak checks. */
  dir: string;
}

/** How to run the action. */
export interface RunActionOptions {
  inputs: Record<string, string>;
  eventName?: string;
  payload?: Record<string, unknown>;
  env?: Record<string, string>;
  cwd?: string;
  /** Sends `signal` to the action once its stdout holds `stdoutIncludes`, as the runner does when a job is cancelled. */
  cancelWhen?: { stdoutIncludes: string; signal: NodeJS.Signals };
}

/**
 * Runs `dist/index.js` in a child process the way the Actions runner does: inputs as
 * `INPUT_*`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_EVENT_PATH` with a real payload.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = scratchDir('runner');
  const files = { output: join(dir, 'output'), summary: join(dir, 'summary.md'), event: join(dir, 'event.json') };
  await Promise.all([
    writeFile(files.output, ''),
    writeFile(files.summary, ''),
    writeFile(files.event, JSON.stringify(options.payload ?? {})),
  ]);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'gate',
    GITHUB_ACTION: 'reliability-gate',
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: dir,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  const started = Date.now();
  const child = spawn(ACTION_NODE, [ACTION_ENTRY], { env, cwd: options.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalledAt: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.cancelWhen && signalledAt === undefined && stdout.includes(options.cancelWhen.stdoutIncludes)) {
      signalledAt = Date.now();
      child.kill(options.cancelWhen.signal);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
  const exitedAt = Date.now();
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(files.output, 'utf8')),
    annotations: parseAnnotations(stdout),
    summary: await readFile(files.summary, 'utf8'),
    durationMs: exitedAt - started,
    exitedAt,
    signalledAt,
    dir,
  };
}

/** Reads `name<<DELIMITER ... DELIMITER` blocks, as the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name!] = value.join('\n');
  }
  return outputs;
}

/** Workflow-command annotations in `stdout`, with the runner's `%` escapes undone. */
export function parseAnnotations(stdout: string): { level: string; message: string }[] {
  return [...stdout.matchAll(/^::(error|warning|notice)(?: [^:]*)?::(.*)$/gm)].map(([, level, message]) => ({
    level: level!,
    message: message!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'),
  }));
}

/** What a CI saw of one run of the command line. */
export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** When `cancelWhen`'s signal was sent, and when the process exited. */
  signalledAt?: number;
  exitedAt: number;
}

/**
 * Runs `dist/cli/index.js` as a CI job would: `args`, and `env` on top of a bare environment
 * (no GitHub variables unless given), from `cwd`. With `cancelWhen`, sends the signal once
 * stderr holds the text, as Jenkins' abort or a GitLab cancel does.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
  cancelWhen?: { stderrIncludes: string; signal: NodeJS.Signals },
): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(ACTION_NODE, [CLI_ENTRY, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalledAt: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (cancelWhen && signalledAt === undefined && stderr.includes(cancelWhen.stderrIncludes)) {
      signalledAt = Date.now();
      child.kill(cancelWhen.signal);
    }
  });
  const exitCode = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
  return { exitCode, stdout, stderr, durationMs: Date.now() - started, ...(signalledAt === undefined ? {} : { signalledAt }), exitedAt: Date.now() };
}

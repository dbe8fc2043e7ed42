import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { FakeGitHub } from './fake-github.js';
import { scratchDir } from './scratch.js';
import { serveHandlers } from './serve.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The bundled action, as `uses:` runs it. */
export const ACTION_ENTRY = join(ROOT, 'dist/index.js');
/** The bundled command line, as `npx agent-reliability-gate` runs it. */
export const CLI_ENTRY = join(ROOT, 'dist/cli/index.js');
/** How the examples for other CIs (examples/ci/) start the command line: the text their tests replace with the built or packed package. */
export const EXAMPLE_GATE_PREFIX = 'npx --yes github:OWNER/agent-reliability-gate#v1';

/**
 * The Node binary that runs the action: `GATE_E2E_NODE` when set (CI points it at Node 24,
 * the runtime `runs.using: node24` gets), else this process's own.
 */
export const ACTION_NODE = process.env.GATE_E2E_NODE || process.execPath;

/** The part of action.yml the runner reads to start the action. */
const ActionMetadata = z.object({
  inputs: z.record(z.string(), z.object({ default: z.string().optional() }).loose()),
  runs: z.object({
    using: z.string(),
    main: z.string(),
    pre: z.string().optional(),
    post: z.string().optional(),
  }),
});
type ActionMetadata = z.infer<typeof ActionMetadata>;

let metadata: ActionMetadata | undefined;
/** action.yml, read as the runner reads it: every scalar a string (YAML's failsafe schema). */
export function actionMetadata(): ActionMetadata {
  metadata ??= ActionMetadata.parse(
    parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'), { schema: 'failsafe' }),
  );
  return metadata;
}

/** The runner's variable for an input: `INPUT_`, the name upper-cased, spaces as `_`, hyphens kept. */
export const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** The job's context where action.yml's defaults are evaluated: `${{ github.token }}` is the only expression they may hold. */
function evaluateDefault(name: string, value: string, githubToken: string): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
    if (expression === 'github.token') return githubToken;
    throw new Error(
      `action.yml's default of ${name} holds \${{ ${expression} }}, which the test runner cannot evaluate: add it to test/support/runner.ts`,
    );
  });
}

/**
 * The inputs as the runner hands them to the step: every input of action.yml that has a
 * `default:` set to it (expressions evaluated), then each key of the step's `with:`,
 * declared or not, as given (a block scalar keeps its trailing newline).
 */
export function inputEnvironment(
  withInputs: Record<string, string>,
  githubToken: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(actionMetadata().inputs)) {
    if (input.default !== undefined)
      env[inputVariable(name)] = evaluateDefault(name, input.default, githubToken);
  }
  for (const [name, value] of Object.entries(withInputs)) env[inputVariable(name)] = value;
  return env;
}

/** The GitHub a job talks to: its REST API and the job's `github.token`. */
export interface RunnerGitHub {
  origin: string;
  token: string;
}

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
  /** The fake GitHub the runner served for this run when the test named none. */
  github?: FakeGitHub;
}

/** How to run the action: one workflow step. */
export interface RunActionOptions {
  /** The step's `with:`, as strings. */
  inputs: Record<string, string>;
  eventName?: string;
  /** The webhook payload of the event; default `{}`. */
  payload?: Record<string, unknown>;
  /**
   * The GitHub the job talks to (`GITHUB_API_URL`, and `github.token`, which action.yml's
   * `github_token` default evaluates to). Default: a fake GitHub served for this run alone,
   * since a runner always has one.
   */
  github?: RunnerGitHub;
  /** Variables of the job (`env:`), and overrides of the runner's own. */
  env?: Record<string, string>;
  /** The workspace; default the repository's root. */
  cwd?: string;
  /** Cancels the step once its stdout holds `stdoutIncludes` (or `when` holds), as the runner does when a job is cancelled. */
  cancelWhen?: CancelWhen;
}

/**
 * When and how a test cancels the step. `signal: 'runner'` is the runner's own sequence
 * (reference/runner.md): SIGINT, SIGTERM 7.5 s later, then SIGKILL 2.5 s after that; a
 * signal's name sends that one alone.
 */
export interface CancelWhen {
  /** Cancel once stdout holds this text. */
  stdoutIncludes?: string;
  /** Cancel once this holds (asked every 20 ms): e.g. once a fake has seen a request. */
  when?: () => boolean;
  signal: NodeJS.Signals | 'runner';
}

/** The runner's cancel: SIGINT, then SIGTERM 7,500 ms later, then the process tree killed 2,500 ms after that. */
const RUNNER_CANCEL: readonly [NodeJS.Signals, number][] = [
  ['SIGINT', 0],
  ['SIGTERM', 7_500],
  ['SIGKILL', 10_000],
];

/** The environment of one step, as the runner builds it, and the files it created for the step. */
export interface StepEnvironment {
  env: Record<string, string>;
  files: {
    output: string;
    env: string;
    path: string;
    state: string;
    summary: string;
    event: string;
  };
  dir: string;
}

/**
 * The environment the runner gives a JavaScript action's step (reference/runner.md): its
 * variables, the event payload at `GITHUB_EVENT_PATH`, the file commands' files created empty,
 * then every declared default and the step's `with:` as `INPUT_*`. The one place that builds it:
 * the end-to-end tests, the examples, the demo, the benchmark and `npm run fake-backend` all use it.
 */
export async function stepEnvironment(
  options: Omit<RunActionOptions, 'cancelWhen'> & { github: RunnerGitHub },
): Promise<StepEnvironment> {
  const dir = scratchDir('runner');
  const files = {
    output: join(dir, 'output'),
    env: join(dir, 'env'),
    path: join(dir, 'path'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    event: join(dir, 'event.json'),
  };
  await Promise.all([
    ...[files.output, files.env, files.path, files.state, files.summary].map((file) =>
      writeFile(file, ''),
    ),
    writeFile(files.event, JSON.stringify(options.payload ?? {})),
  ]);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: dir,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_SHA: commitOf(options.eventName ?? 'push', options.payload ?? {}),
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'gate',
    GITHUB_ACTION: 'reliability-gate',
    GITHUB_WORKSPACE: options.cwd ?? ROOT,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.github.origin,
    ...options.env,
    ...inputEnvironment(options.inputs, options.github.token),
  };
  return { env, files, dir };
}

/** Pull requests run on a merge commit the payload does not name. */
const MERGE_COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** `GITHUB_SHA` for the event, as the runner sets it: the pushed, queued or triggering commit; a pull request's merge commit. */
export function commitOf(eventName: string, payload: Record<string, unknown>): string {
  const at = (path: string[]) =>
    path.reduce<unknown>(
      (value, key) => (value as Record<string, unknown> | undefined)?.[key],
      payload,
    );
  const sha = {
    push: at(['after']),
    merge_group: at(['merge_group', 'head_sha']),
    workflow_run: at(['workflow_run', 'head_sha']),
  }[eventName];
  return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : MERGE_COMMIT;
}

/**
 * Runs the bundled action in a child process the way the Actions runner does
 * ({@link stepEnvironment}): its `pre:` first and its `post:` last when action.yml has them,
 * `post:` with `STATE_*` from what the main step saved. No test starts `dist/index.js` any
 * other way.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const served = options.github ? undefined : await serveFakeGitHub();
  try {
    const github = options.github ?? served!.github;
    const step = await stepEnvironment({ ...options, github });
    const cwd = options.cwd ?? ROOT;
    const { runs } = actionMetadata();
    const started = Date.now();
    // `pre:`, when action.yml has one, runs first in the same environment, as the runner runs it.
    const pre = runs.pre ? await spawnStep(join(ROOT, runs.pre), step.env, cwd) : undefined;
    const main = await spawnStep(join(ROOT, runs.main), step.env, cwd, options.cancelWhen);
    let stdout = (pre?.stdout ?? '') + main.stdout;
    let stderr = (pre?.stderr ?? '') + main.stderr;
    if (runs.post) {
      const state = parseOutputFile(await readFile(step.files.state, 'utf8'));
      const post = await spawnStep(
        join(ROOT, runs.post),
        {
          ...step.env,
          ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
        },
        cwd,
      );
      stdout += post.stdout;
      stderr += post.stderr;
    }
    const exitedAt = Date.now();
    // Every call the action made to the runner's own GitHub is held to GitHub's OpenAPI description.
    if (served && served.fake.violations.length > 0)
      throw new Error(
        `the action's GitHub calls broke GitHub's API description:\n${served.fake.violations.join('\n')}`,
      );
    return {
      exitCode: main.exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(step.files.output, 'utf8')),
      annotations: parseAnnotations(stdout),
      summary: await readFile(step.files.summary, 'utf8'),
      durationMs: exitedAt - started,
      exitedAt,
      ...(main.signalledAt === undefined ? {} : { signalledAt: main.signalledAt }),
      dir: step.dir,
      ...(served ? { github: served.fake } : {}),
    };
  } finally {
    await served?.close();
  }
}

/** A fake GitHub of its own for one run, when the test named none. */
async function serveFakeGitHub() {
  const fake = new FakeGitHub();
  const server = await serveHandlers(() => fake.handlers());
  return {
    fake,
    github: { origin: server.origin, token: fake.token },
    close: () => server.close(),
  };
}

async function spawnStep(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  cancelWhen?: RunActionOptions['cancelWhen'],
) {
  const child = spawn(ACTION_NODE, [entry], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalledAt: number | undefined;
  const timers: NodeJS.Timeout[] = [];
  const cancel = () => {
    if (!cancelWhen || signalledAt !== undefined) return;
    signalledAt = Date.now();
    const sequence: readonly [NodeJS.Signals, number][] =
      cancelWhen.signal === 'runner' ? RUNNER_CANCEL : [[cancelWhen.signal, 0]];
    for (const [signal, afterMs] of sequence)
      timers.push(setTimeout(() => child.exitCode === null && child.kill(signal), afterMs));
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (cancelWhen?.stdoutIncludes !== undefined && stdout.includes(cancelWhen.stdoutIncludes))
      cancel();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const asking = cancelWhen?.when
    ? setInterval(() => cancelWhen.when?.() && cancel(), 20)
    : undefined;
  const exitCode = await new Promise<number | null>((resolveExit) =>
    child.on('close', resolveExit),
  );
  clearInterval(asking);
  for (const timer of timers) clearTimeout(timer);
  return { exitCode, stdout, stderr, signalledAt };
}

/** Reads `name<<DELIMITER ... DELIMITER` blocks and `name=value` lines, as the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^<=]+)<<(.+)$/.exec(line);
    if (block) {
      const [, name, delimiter] = block;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      outputs[name!] = value.join('\n');
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(line);
    if (pair) outputs[pair[1]!] = pair[2]!;
  }
  return outputs;
}

/**
 * Workflow-command annotations in `stdout`, with the runner's `%` escapes undone: the
 * `::error::` form at a line's start, and the legacy `##[error]` form, which the runner obeys
 * anywhere in a line that is not a `::` command (its first `##[` only, as the runner reads it).
 */
export function parseAnnotations(stdout: string): { level: string; message: string }[] {
  const annotations: { level: string; message: string }[] = [];
  for (const line of stdout.split('\n')) {
    const current = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (current) {
      annotations.push({
        level: current[1]!,
        message: current[2]!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'),
      });
      continue;
    }
    if (/^\s*::[A-Za-z-]+(?: [^:]*)?::/.test(line)) continue;
    const legacy = /^##\[([^\] ]*)[^\]]*\](.*)$/.exec(line.slice(Math.max(0, line.indexOf('##['))));
    if (line.includes('##[') && legacy && ['error', 'warning', 'notice'].includes(legacy[1]!)) {
      annotations.push({
        level: legacy[1]!,
        message: legacy[2]!
          .replace(/%3B/g, ';')
          .replace(/%0D/g, '\r')
          .replace(/%0A/g, '\n')
          .replace(/%5D/g, ']')
          .replace(/%25/g, '%'),
      });
    }
  }
  return annotations;
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
  const child = spawn(ACTION_NODE, [CLI_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const exitCode = await new Promise<number | null>((resolveExit) =>
    child.on('close', resolveExit),
  );
  return {
    exitCode,
    stdout,
    stderr,
    durationMs: Date.now() - started,
    ...(signalledAt === undefined ? {} : { signalledAt }),
    exitedAt: Date.now(),
  };
}

/** The repository's root, where the examples and the bundles are. */
export const REPOSITORY_ROOT = ROOT;

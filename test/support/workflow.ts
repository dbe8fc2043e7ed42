import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { minimatch } from 'minimatch';
import { parse } from 'yaml';
import {
  type ActionRun,
  commitOf,
  parseOutputFile,
  REPOSITORY_ROOT,
  type RunnerGitHub,
  runAction,
} from './runner.js';
import { scratchDir } from './scratch.js';
import { BACKEND_IDS, backendById } from '../../src/core/backends/registry.js';

/**
 * A small GitHub Actions runner for the project's example workflows and the README's workflow
 * blocks: jobs in `needs` order, each matrix leg, steps with `if:`, `env:` and `${{ }}`
 * expressions evaluated by GitHub's own expression library (@actions/expressions), `run:`
 * steps in bash, and this action's steps through {@link runAction}, the runner's way.
 *
 * The mapping to the fakes, said once: `secrets.*` and `vars.*` are {@link WorkflowWorld}'s
 * values (a name it does not hold is an error, never an empty string); `github.token` is the
 * fake GitHub's; a README fragment's reference to a step it does not hold reads `outsideSteps`;
 * and each gate step that calls a backend (not an `aggregate` step, not one on `issue_comment`,
 * not a backend that reads a file, such as promptfoo) gets one input the workflow does not write, `base_url`,
 * since the examples talk to the public backends and the tests to their fakes. `run:` steps find
 * `bin`'s folders first on PATH (stand-ins for tools the examples call: promptfoo,
 * test/support/promptfoo-stand-in.ts). `actions/checkout` brings what the user's repository
 * holds, `checkout` (not this repository: an example that runs a script of ours does not paste,
 * and fails here as it would there); `actions/setup-node`
 * leaves the tests' Node on PATH; `actions/upload-artifact` and
 * `actions/download-artifact` keep artifacts between the jobs of one {@link runWorkflows} call.
 * Any other `uses:` is an error, so an example that needs more says so here.
 */

/** The values a workflow's expressions take in the tests. */
export interface WorkflowWorld {
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Outputs of steps a README fragment refers to but does not hold (the user's own steps). */
  outsideSteps?: Record<string, Record<string, string>>;
  github: RunnerGitHub;
  /** `base_url` for a gate step of this backend: its fake. */
  baseUrl: (backend: string) => string;
  /** Folders put first on PATH for `run:` steps: stand-ins for the tools the examples call. */
  bin?: string[];
  /** What `actions/checkout` brings: the user's repository, as workspace path → file of this repository. */
  checkout: Record<string, string>;
}

/** One event a workflow is run for: its name and webhook payload. */
export interface WorkflowEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** What one step did. */
export interface StepRecord {
  job: string;
  matrix: Record<string, string>;
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  /** The gate's run, for this action's steps. */
  gate?: ActionRun;
  output?: string;
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
/** A workflow as YAML's failsafe schema reads it: every scalar a string, as the runner sees `with:`. */
export interface Workflow {
  name?: string;
  on?: unknown;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** Whether `uses:` names this action (`OWNER/agent-reliability-gate@…`, or `./` in this repository). */
export const isGateStep = (uses: string | undefined) =>
  uses !== undefined && (/(^|\/)agent-reliability-gate@/.test(uses) || uses === './');

/** Reads a workflow file's text. */
export function parseWorkflow(text: string): Workflow {
  return parse(text, { schema: 'failsafe' }) as Workflow;
}

/** The events a workflow triggers on, in its own order. */
export function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys((on ?? {}) as Record<string, unknown>);
}

/** Artifacts kept between the workflows and jobs of one run: name → files by relative path. */
export type ArtifactStore = Map<string, Map<string, Buffer>>;

/** Runs every job of `workflow` for `event`, in `needs` order; returns each step's record. */
export async function runWorkflow(
  workflow: Workflow,
  event: WorkflowEvent,
  world: WorkflowWorld,
  artifacts: ArtifactStore = new Map(),
): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  const results = new Map<string, 'success' | 'failure' | 'skipped'>();
  const pending = new Map(Object.entries(workflow.jobs));
  while (pending.size > 0) {
    const ready = [...pending].find(([, job]) => needsOf(job).every((need) => results.has(need)));
    if (!ready) throw new Error(`jobs ${[...pending.keys()].join(', ')} wait on each other`);
    const [name, job] = ready;
    pending.delete(name);
    const needsFailed = needsOf(job).some((need) => results.get(need) !== 'success');
    const github = githubContext(event, world);
    const runs =
      job.if === undefined
        ? !needsFailed
        : truthy(evaluate(job.if, { github, needs: {} }, { failed: needsFailed }));
    if (!runs) {
      results.set(name, 'skipped');
      continue;
    }
    let result: 'success' | 'failure' = 'success';
    for (const matrix of matrixLegs(job)) {
      const legRecords = await runJob(name, job, matrix, workflow, event, world, artifacts);
      records.push(...legRecords);
      if (legRecords.some((r) => r.outcome === 'failure')) result = 'failure';
    }
    results.set(name, result);
  }
  return records;
}

async function runJob(
  jobName: string,
  job: Job,
  matrix: Record<string, string>,
  workflow: Workflow,
  event: WorkflowEvent,
  world: WorkflowWorld,
  artifacts: ArtifactStore,
): Promise<StepRecord[]> {
  const workspace = scratchDir('workspace');
  const records: StepRecord[] = [];
  const steps: Record<string, { outputs: Record<string, string>; outcome: string }> =
    Object.fromEntries(
      Object.entries(world.outsideSteps ?? {}).map(([id, outputs]) => [
        id,
        { outputs, outcome: 'success' },
      ]),
    );
  const github = githubContext(event, world);
  let failed = false;
  // The workflow's and the job's `env:`, their `${{ }}` evaluated as the runner does (the `env` context of each step).
  const jobEnv = Object.fromEntries(
    Object.entries({ ...workflow.env, ...job.env }).map(([k, v]) => [
      k,
      interpolate(v, { github, matrix, secrets: world.secrets, vars: world.vars }, false),
    ]),
  );
  for (const step of job.steps) {
    const context = {
      github,
      matrix,
      steps,
      secrets: world.secrets,
      vars: world.vars,
      env: jobEnv,
      needs: {},
    };
    const label = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? '?';
    const expand = (text: string) => interpolate(text, context, failed);
    if (!(step.if === undefined ? !failed : truthy(evaluate(step.if, context, { failed })))) {
      records.push({ job: jobName, matrix, name: label, outcome: 'skipped' });
      continue;
    }
    const env = Object.fromEntries(
      Object.entries({ ...workflow.env, ...job.env, ...step.env }).map(([k, v]) => [k, expand(v)]),
    );
    const inputs = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(v)]),
    );
    let record: StepRecord;
    if (isGateStep(step.uses)) {
      const gate = await runAction({
        // An aggregate step makes no backend call, and a comment's command none: they take no `base_url`.
        inputs:
          inputs.aggregate ||
          event.name === 'issue_comment' ||
          backendById(inputs.backend || BACKEND_IDS[0]).evaluates.kind === 'reads'
            ? inputs
            : { ...inputs, base_url: world.baseUrl(inputs.backend || 'sepurux') },
        eventName: event.name,
        payload: event.payload,
        github: world.github,
        env: { ...env, GITHUB_WORKSPACE: workspace },
        cwd: workspace,
      });
      if (step.id)
        steps[step.id] = {
          outputs: gate.outputs,
          outcome: gate.exitCode === 0 ? 'success' : 'failure',
        };
      record = {
        job: jobName,
        matrix,
        name: label,
        outcome: gate.exitCode === 0 ? 'success' : 'failure',
        gate,
      };
    } else if (step.run !== undefined) {
      const outputFile = join(scratchDir('step-output'), 'output');
      writeFileSync(outputFile, '');
      const result = await bash(
        expand(step.run),
        { ...env, GITHUB_OUTPUT: outputFile },
        workspace,
        world.bin ?? [],
      );
      if (step.id)
        steps[step.id] = {
          outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
          outcome: result.code === 0 ? 'success' : 'failure',
        };
      record = {
        job: jobName,
        matrix,
        name: label,
        outcome: result.code === 0 ? 'success' : 'failure',
        output: result.output,
      };
    } else {
      useAction(step.uses ?? '', inputs, workspace, artifacts, world.checkout);
      record = { job: jobName, matrix, name: label, outcome: 'success' };
    }
    records.push(record);
    if (record.outcome === 'failure') failed = true;
  }
  return records;
}

/** The third-party actions the examples use, done as they do it. */
function useAction(
  uses: string,
  inputs: Record<string, string>,
  workspace: string,
  artifacts: ArtifactStore,
  checkout: Record<string, string>,
): void {
  const action = uses.split('@')[0];
  if (action === 'actions/checkout') {
    for (const [path, file] of Object.entries(checkout))
      cpSync(join(REPOSITORY_ROOT, file), join(workspace, path), { recursive: true });
  } else if (action === 'actions/setup-node') {
    // The tests' own Node runs the steps; an example still says which it needs.
    if (!inputs['node-version'])
      throw new Error('actions/setup-node without node-version: say which Node the steps need');
  } else if (action === 'actions/upload-artifact') {
    const files = new Map<string, Buffer>();
    for (const path of (inputs.path ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const full = isAbsolute(path) ? path : join(workspace, path);
      // A single file is stored at the artifact's root, as upload-artifact stores it.
      if (existsSync(full))
        files.set(
          isAbsolute(path) ? basename(path) : relative(workspace, full),
          readFileSync(full),
        );
    }
    if (files.size === 0)
      throw new Error(`upload-artifact ${inputs.name}: no files at ${inputs.path}`);
    artifacts.set(inputs.name ?? 'artifact', files);
  } else if (action === 'actions/download-artifact') {
    const into = join(workspace, inputs.path ?? '');
    // By name: its files into `path`; by pattern: each artifact into a folder of its name.
    const chosen = inputs.pattern
      ? [...artifacts].filter(([name]) => minimatch(name, inputs.pattern!))
      : [[inputs.name ?? '', artifacts.get(inputs.name ?? '')] as const];
    for (const [name, files] of chosen) {
      if (!files) throw new Error(`download-artifact: no artifact ${name}`);
      for (const [path, bytes] of files) {
        const target = join(inputs.pattern ? join(into, name) : into, path);
        mkdirSync(join(target, '..'), { recursive: true });
        writeFileSync(target, bytes);
      }
    }
  } else {
    throw new Error(
      `the examples' runner does not know ${uses}: teach test/support/workflow.ts what it does`,
    );
  }
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** Each leg of a job's matrix: the product of its lists (include and exclude are not used by the examples). */
function matrixLegs(job: Job): Record<string, string>[] {
  const matrix = job.strategy?.matrix;
  if (!matrix) return [{}];
  let legs: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (!Array.isArray(values))
      throw new Error(`matrix.${key} is not a list: teach test/support/workflow.ts about it`);
    legs = legs.flatMap((leg) => values.map((value) => ({ ...leg, [key]: String(value) })));
  }
  return legs;
}

function githubContext(event: WorkflowEvent, world: WorkflowWorld) {
  return {
    token: world.github.token,
    event: event.payload,
    event_name: event.name,
    // As the runner has them: the commit GITHUB_SHA holds, the first attempt of the run.
    sha: commitOf(event.name, event.payload),
    run_attempt: '1',
    repository: 'Codertocat/Hello-World',
    workspace: '',
  };
}

/** `text` with each `${{ }}` replaced by its value, as the runner does for `with:`, `env:` and `run:`. */
function interpolate(text: string, context: Record<string, unknown>, failed: boolean): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    evaluate(expression, context, { failed }).coerceString(),
  );
}

const STATUS_FUNCTIONS = ['always', 'success', 'failure', 'cancelled'];

/** Evaluates one expression (with or without `${{ }}`) with GitHub's expression library. */
function evaluate(
  expression: string,
  context: Record<string, unknown>,
  status: { failed: boolean },
): data.ExpressionData {
  const source = expression
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  const tokens = new Lexer(source).lex().tokens;
  const parsed = new Parser(
    tokens,
    Object.keys(context),
    STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  ).parse();
  const functions = new Map(
    Object.entries({
      always: true,
      success: !status.failed,
      failure: status.failed,
      cancelled: false,
    }).map(([name, value]) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
    ]),
  );
  strict(source, context);
  return new Evaluator(parsed, toData(context), functions).evaluate();
}

/** A secret, a variable or a step the world does not hold is an error: an example must not be run on an empty value by accident. */
function strict(source: string, context: Record<string, unknown>): void {
  for (const [, kind, name] of source.matchAll(/\b(secrets|vars|steps)\.([A-Za-z_][\w-]*)/g)) {
    const values = context[kind!] as Record<string, unknown>;
    if (!(name! in values)) {
      throw new Error(
        `${kind}.${name} is not mapped for the examples: add it to the world in test/examples/ (test/support/workflow.ts says how)`,
      );
    }
  }
}

function toData(value: unknown): data.Dictionary {
  return JSON.parse(JSON.stringify(value), data.reviver) as data.Dictionary;
}

function truthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value !== 0;
    case data.Kind.String:
      return (value as data.StringData).value !== '';
    default:
      return true;
  }
}

function bash(
  script: string,
  env: Record<string, string>,
  cwd: string,
  bin: string[],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-e', '-c', script],
      { cwd, env: { PATH: [...bin, process.env.PATH ?? ''].join(':'), HOME: cwd, ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: stdout + stderr,
        }),
    );
  });
}

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './runner.js';
import { isGateStep } from './workflow.js';

/**
 * The rules every workflow in examples/workflows/ keeps, so that it pastes into another
 * repository and runs there as the README says: each is a message that names the file, the job
 * or step, the rule and the fix. test/examples/workflow-rules.test.ts holds every example (and
 * any added later) to them.
 *
 * - Every job has `timeout-minutes` (GitHub's default is 6 hours of a stuck job, and of a
 *   required check left waiting).
 * - The workflow's own `permissions:` grant no write (`permissions: {}`), and every job says
 *   its own; only a job that reports a verdict (a gate step that is not a matrix leg's `shard`)
 *   may write, and only `checks`, `statuses` and `pull-requests`, what the gate calls. Such a
 *   job gets `checks: write` (the check a branch rule requires).
 * - A workflow whose gate reports on `pull_request` runs on `merge_group` too (a merge queue
 *   waits for the required check on its own commit) and on `push` to main (main's verdict is the
 *   baseline pull requests compare with).
 * - No `run:` step names a file of this repository (`node scripts/demo.ts`): a
 *   repository it is pasted into has none. A stand-in is written inline, under one comment line
 *   that says what replaces it.
 */

/** The scopes a job that reports a verdict may write: the check, the fallback commit status, the sticky comment. */
const REPORTING_WRITES = ['checks', 'statuses', 'pull-requests'];
/** The default branch the examples name. */
const DEFAULT_BRANCH = 'main';

interface RawStep {
  name?: unknown;
  uses?: unknown;
  run?: unknown;
  with?: Record<string, unknown>;
}
interface RawJob {
  'timeout-minutes'?: unknown;
  permissions?: unknown;
  steps?: RawStep[];
}
interface RawWorkflow {
  on?: unknown;
  permissions?: unknown;
  jobs?: Record<string, RawJob>;
}

/** What `file` (a path for the messages) with `text` breaks of the rules above: one message each, empty when it keeps them all. */
export function workflowProblems(file: string, text: string): string[] {
  const workflow = parse(text) as RawWorkflow;
  const problems: string[] = [];
  const jobs = Object.entries(workflow.jobs ?? {});
  if (!isReadOnly(workflow.permissions))
    problems.push(
      `${file}: the workflow's own \`permissions:\` ${whyNotReadOnly(workflow.permissions)}; write \`permissions: {}\` at the top and give each job the least it needs in its own \`permissions:\` (a matrix leg that only uploads gets no write).`,
    );
  for (const [name, job] of jobs) {
    const where = `${file}: job "${name}"`;
    if (job['timeout-minutes'] === undefined)
      problems.push(
        `${where} has no \`timeout-minutes\`: add one, a few minutes above the gate's \`timeout\` (10 minutes unless set); without it a stuck job, and the required check, waits 6 hours.`,
      );
    const reports = reportingGateSteps(job).length > 0;
    if (job.permissions === undefined || typeof job.permissions !== 'object') {
      problems.push(
        `${where} has no \`permissions:\` of its own: give it the least it needs (${reports ? 'contents: read, checks: write, statuses: write, pull-requests: write' : 'contents: read'}).`,
      );
    } else {
      const scopes = job.permissions as Record<string, unknown>;
      for (const [scope, level] of Object.entries(scopes).filter(([, l]) => l === 'write')) {
        if (!REPORTING_WRITES.includes(scope))
          problems.push(
            `${where} asks for \`${scope}: write\`, which the gate never uses (it writes only ${REPORTING_WRITES.join(', ')}): make it \`${scope}: read\` or drop it.`,
          );
        else if (!reports)
          problems.push(
            `${where} asks for \`${scope}: ${String(level)}\` but reports no verdict (no gate step, or only a matrix leg's \`shard\`, which posts nothing): drop it.`,
          );
      }
      if (reports && scopes.checks !== 'write')
        problems.push(
          `${where} reports a verdict but has no \`checks: write\`: the check a branch rule requires could not be posted; add it.`,
        );
    }
    for (const step of job.steps ?? []) {
      if (typeof step.run !== 'string') continue;
      for (const path of repositoryFilesNamed(step.run))
        problems.push(
          `${where}, step "${String(step.name ?? step.run.split('\n')[0])}" runs ${path}, a file of this repository that a repository the example is pasted into does not have: write the stand-in inline (a heredoc, or jq), under one comment line saying what replaces it.`,
        );
    }
  }
  const on = triggersOf(workflow.on);
  if (on.has('pull_request') && jobs.some(([, job]) => reportingGateSteps(job).length > 0)) {
    if (!on.has('merge_group'))
      problems.push(
        `${file}: runs on pull_request but not on \`merge_group\`: add \`merge_group:\` to \`on:\`, or a merge queue waits forever for the required check on its own commit.`,
      );
    const push = on.get('push') as { branches?: unknown } | null | undefined;
    if (
      !on.has('push') ||
      !Array.isArray(push?.branches) ||
      !push.branches.includes(DEFAULT_BRANCH)
    )
      problems.push(
        `${file}: runs on pull_request but not on \`push\` to ${DEFAULT_BRANCH}: add \`push: { branches: [${DEFAULT_BRANCH}] }\` to \`on:\`, so each commit of ${DEFAULT_BRANCH} gets the verdict pull requests compare with.`,
      );
  }
  problems.push(...standInsWithoutComment(file, text));
  return problems;
}

/** The gate steps of a job that report a verdict on GitHub: not a matrix leg's `shard`. */
function reportingGateSteps(job: RawJob): RawStep[] {
  return (job.steps ?? []).filter(
    (step) =>
      isGateStep(typeof step.uses === 'string' ? step.uses : undefined) && !step.with?.shard,
  );
}

/** Whether a workflow-level `permissions:` grants no write: `{}`, or every scope `read` or `none`. */
function isReadOnly(permissions: unknown): boolean {
  if (permissions === 'read-all') return true;
  if (permissions === null || typeof permissions !== 'object') return false;
  return Object.values(permissions).every((level) => level === 'read' || level === 'none');
}

/** Why a workflow-level `permissions:` is not read-only, for the message. */
function whyNotReadOnly(permissions: unknown): string {
  if (permissions === undefined)
    return 'are not set, so jobs get the repository default (write to everything, in older repositories)';
  return `grant write to every job (${JSON.stringify(permissions)})`;
}

function triggersOf(on: unknown): Map<string, unknown> {
  if (typeof on === 'string') return new Map([[on, null]]);
  if (Array.isArray(on)) return new Map(on.map((name) => [String(name), null]));
  return new Map(Object.entries((on ?? {}) as Record<string, unknown>));
}

/**
 * The files of this repository a `run:` script names (`scripts/demo.ts`,
 * `scripts/demo.ts`, `./bench/run.ts`): a path with a folder, or a script's name, that exists
 * here. What the example writes or the user's repository holds (`trace.json`,
 * `promptfooconfig.yaml`, `.github/reliability-gates.yml`) does not.
 */
export function repositoryFilesNamed(script: string): string[] {
  const named = new Set<string>();
  for (const [token] of script.matchAll(
    /(?:\.\/)?[\w.-]+(?:\/[\w.-]+)+|[\w-]+\.(?:mjs|cjs|js|ts|py|sh)\b/g,
  )) {
    const path = token.replace(/^\.\//, '');
    if (path.startsWith('.github/')) continue;
    const full = join(REPOSITORY_ROOT, path);
    if (existsSync(full) && statSync(full).isFile()) named.add(path);
  }
  return [...named];
}

/** Each step named "… (your step)", the user's own, must follow a comment saying what replaces its stand-in. */
function standInsWithoutComment(file: string, text: string): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, index) =>
    /^\s*-\s+name:.*\(your step\)/.test(line) && !/#.*\breplace\b/i.test(lines[index - 1] ?? '')
      ? [
          `${file} line ${index + 1}: the stand-in step "${line.trim()}" has no comment line above it saying what replaces it (e.g. "# Stand-in (a sample trace): replace it with your agent's run that writes its trace").`,
        ]
      : [],
  );
}

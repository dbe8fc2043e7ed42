import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The parts of a webhook payload the gate reads; every field is checked before use. */
interface Payload {
  pull_request?: {
    number?: unknown;
    head?: { sha?: unknown; repo?: { full_name?: unknown } | null };
    base?: { sha?: unknown; repo?: { full_name?: unknown } };
  };
  workflow_run?: { head_sha?: unknown; event?: unknown; pull_requests?: { number?: unknown }[] };
  merge_group?: { head_sha?: unknown; base_sha?: unknown };
  issue?: { number?: unknown; pull_request?: unknown };
  repository?: { default_branch?: unknown };
}

/** What the gate knows about the change it gates, from the event and the runner's environment. */
export interface GateTarget {
  /** `owner/name`. */
  repository: string;
  /** The commit the check or status goes on. */
  headSha?: string;
  /** The base branch's commit the change is compared with (pull requests, merge queues). */
  baseSha?: string;
  pullRequestNumber?: number;
  /** A pull request from a fork: its workflow gets no secrets and a read-only token. */
  fromFork: boolean;
  /** Link to this workflow run, for checks without a dashboard. */
  runUrl?: string;
  /** GitHub's REST API root (`GITHUB_API_URL`: GitHub Enterprise Server has its own). */
  apiUrl: string;
  /** Stable for one workflow run attempt and step. */
  gateKey: string;
  /** On `workflow_run`: the head commit GitHub says the triggering run built (the only trusted part of a hand-over). */
  workflowRunHeadSha?: string;
  /** On `workflow_run`: the event that started the triggering run (`pull_request`, `push`…), as GitHub says it. */
  workflowRunEvent?: string;
  /**
   * On `workflow_run`: the repository's default branch (`repository.default_branch`), as GitHub
   * says it. A pull request handed over is trusted for the base only when it targets this branch.
   */
  defaultBranch?: string;
}

const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/**
 * Reads the target from the event: the pull request's head commit (not the merge commit in
 * `GITHUB_SHA`), `workflow_run.head_sha`, `merge_group.head_sha`, else `GITHUB_SHA`.
 */
export function readTarget(
  eventName: string,
  payload: unknown,
  env: NodeJS.ProcessEnv,
): GateTarget {
  const event = (payload ?? {}) as Payload;
  const pr = PULL_REQUEST_EVENTS.has(eventName) ? event.pull_request : undefined;
  const headSha =
    (pr
      ? text(pr.head?.sha)
      : eventName === 'workflow_run'
        ? text(event.workflow_run?.head_sha)
        : eventName === 'merge_group'
          ? text(event.merge_group?.head_sha)
          : undefined) ?? text(env.GITHUB_SHA);
  const pullRequestNumber = pr
    ? number(pr.number)
    : eventName === 'workflow_run'
      ? number(event.workflow_run?.pull_requests?.[0]?.number)
      : eventName === 'issue_comment' && event.issue?.pull_request
        ? number(event.issue.number)
        : undefined;
  const headRepo = text(pr?.head?.repo?.full_name);
  const baseRepo = text(pr?.base?.repo?.full_name);
  const repository = text(env.GITHUB_REPOSITORY) ?? 'unknown/unknown';
  const runId = text(env.GITHUB_RUN_ID);
  const server = text(env.GITHUB_SERVER_URL) ?? 'https://github.com';
  const baseSha = pr
    ? text(pr.base?.sha)
    : eventName === 'merge_group'
      ? text(event.merge_group?.base_sha)
      : undefined;
  const workflowRunHeadSha =
    eventName === 'workflow_run' ? text(event.workflow_run?.head_sha) : undefined;
  const workflowRunEvent =
    eventName === 'workflow_run' ? text(event.workflow_run?.event) : undefined;
  const defaultBranch =
    eventName === 'workflow_run' ? branchName(event.repository?.default_branch) : undefined;
  return {
    repository,
    headSha,
    ...(workflowRunHeadSha ? { workflowRunHeadSha } : {}),
    ...(workflowRunEvent ? { workflowRunEvent } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    ...(baseSha ? { baseSha } : {}),
    pullRequestNumber,
    fromFork: headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo,
    runUrl: runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    apiUrl: text(env.GITHUB_API_URL) ?? 'https://api.github.com',
    gateKey: runId
      ? [
          repository,
          runId,
          env.GITHUB_RUN_ATTEMPT ?? '1',
          env.GITHUB_JOB ?? '',
          env.GITHUB_ACTION ?? '',
        ].join('/')
      : randomUUID(),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A branch name as git allows one (`git check-ref-format --branch`, in short: no space, control
 * character, `~^:?*[\`, `..`, `@{`, leading `-` or `/`, trailing `/`, `.` or `.lock`) and
 * no backtick (it is printed in code spans), at most 255 characters; anything else is no branch.
 * It is compared with a pull request's base branch and printed in reasons, so an odd payload
 * never reaches either.
 */
function branchName(value: unknown): string | undefined {
  const name = text(value);
  if (!name || name.length > 255) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (/[\s\x00-\x1f\x7f~^:?*[\\`]|\.\.|@\{|\/\/|^[-/.]|\/\.|[/.]$|\.lock$/.test(name))
    return undefined;
  return name;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The webhook payload the workflow runs on (`GITHUB_EVENT_PATH`), read once as `@actions/github`'s
 * context reads it, without loading octokit: `{}` when no file is named. A file named but not
 * readable is `{}` with the `problem` said: without it the gate would not know the pull request
 * or its head commit, and would judge the merge commit `GITHUB_SHA`, with no comment; the
 * action makes it an input error, before any call.
 */
export function readEvent(env: NodeJS.ProcessEnv): { payload: unknown; problem?: string } {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return { payload: {} };
  try {
    return { payload: JSON.parse(readFileSync(path, 'utf8')) as unknown };
  } catch (error) {
    const why =
      error instanceof SyntaxError
        ? 'it is not JSON'
        : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
    return {
      payload: {},
      problem: `GITHUB_EVENT_PATH names "${path}", which could not be read (${why}): the gate cannot tell which pull request and commit it judges. The runner writes this file; unset GITHUB_EVENT_PATH outside a runner, or point it at the event's JSON.`,
    };
  }
}

/** The event's payload, leniently: `{}` when there is none or it cannot be read. */
export function readEventPayload(env: NodeJS.ProcessEnv): unknown {
  return readEvent(env).payload;
}

/** The change as the core's backends see it. */
export function changeOf(target: GateTarget): {
  repository: string;
  commitSha?: string;
  pullRequestNumber?: number;
  gateKey: string;
} {
  return {
    repository: target.repository,
    commitSha: target.headSha,
    pullRequestNumber: target.pullRequestNumber,
    gateKey: target.gateKey,
  };
}

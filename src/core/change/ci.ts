import { randomUUID } from 'node:crypto';
import type { ChangeContext } from '../backends/types.js';
import { changeOf, readEventPayload, readTarget } from './github.js';

/** A change read from a CI's own variables, and which CI said so. */
export interface DetectedChange extends ChangeContext {
  /** `GitLab CI`, `Jenkins`, `GitHub Actions`, `Buildkite`, `CircleCI`, or `no CI` on a laptop. */
  ci: string;
  /** This CI job's page, linked from the check and the note. */
  runUrl?: string;
  /** The variable the CI names its commit in (`BUILDKITE_COMMIT`), for messages about it. */
  commitVariable?: string;
}

type Env = NodeJS.ProcessEnv;
const text = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
const positive = (value: string | undefined) =>
  value && /^[1-9]\d*$/.test(value.trim()) ? Number(value) : undefined;
const key = (...parts: (string | undefined)[]) => parts.map((part) => part ?? '').join('/');

/** `owner/name` out of a git remote URL (`https://host/owner/name.git`, `git@host:owner/name.git`). */
export function repositoryOfRemote(remote: string | undefined): string | undefined {
  const match = /[:/]([^/:]+\/[^/]+?)(?:\.git)?\/?$/.exec(remote?.trim() ?? '');
  return match?.[1];
}

/**
 * Each CI the command line knows: how to recognise it and where it keeps the repository, the
 * merge request and the commit. The idempotency key is stable for one job (a retried job is a
 * new one, as a new run attempt is on GitHub).
 */
const DETECTORS: {
  ci: string;
  commitVariable?: string;
  detect: (env: Env) => boolean;
  read: (
    env: Env,
  ) => Omit<ChangeContext, 'gateKey'> & { gateKey?: string; runUrl?: string | undefined };
}[] = [
  {
    ci: 'GitLab CI',
    commitVariable: 'CI_COMMIT_SHA',
    detect: (env) => env.GITLAB_CI === 'true',
    read: (env) => ({
      repository: text(env.CI_PROJECT_PATH) ?? 'unknown/unknown',
      pullRequestNumber: positive(env.CI_MERGE_REQUEST_IID),
      commitSha: text(env.CI_COMMIT_SHA),
      gateKey: env.CI_JOB_ID
        ? key(env.CI_PROJECT_PATH, env.CI_PIPELINE_ID, env.CI_JOB_ID)
        : undefined,
      runUrl: text(env.CI_JOB_URL),
    }),
  },
  {
    ci: 'GitHub Actions',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    read: (env) => {
      const target = readTarget(env.GITHUB_EVENT_NAME ?? '', readEventPayload(env), env);
      return { ...changeOf(target), runUrl: target.runUrl };
    },
  },
  {
    ci: 'Jenkins',
    commitVariable: 'GIT_COMMIT',
    detect: (env) => Boolean(env.JENKINS_URL),
    read: (env) => ({
      repository: repositoryOfRemote(env.GIT_URL ?? env.CHANGE_URL) ?? 'unknown/unknown',
      pullRequestNumber: positive(env.CHANGE_ID),
      commitSha: text(env.GIT_COMMIT),
      gateKey: env.BUILD_NUMBER ? key(env.JOB_NAME, env.BUILD_NUMBER, env.STAGE_NAME) : undefined,
      runUrl: text(env.BUILD_URL),
    }),
  },
  {
    ci: 'Buildkite',
    commitVariable: 'BUILDKITE_COMMIT',
    detect: (env) => env.BUILDKITE === 'true',
    read: (env) => ({
      repository: repositoryOfRemote(env.BUILDKITE_REPO) ?? 'unknown/unknown',
      pullRequestNumber: positive(env.BUILDKITE_PULL_REQUEST),
      commitSha: text(env.BUILDKITE_COMMIT),
      gateKey: env.BUILDKITE_JOB_ID ? key(env.BUILDKITE_BUILD_ID, env.BUILDKITE_JOB_ID) : undefined,
      runUrl: text(env.BUILDKITE_BUILD_URL),
    }),
  },
  {
    ci: 'CircleCI',
    commitVariable: 'CIRCLE_SHA1',
    detect: (env) => env.CIRCLECI === 'true',
    read: (env) => ({
      repository:
        env.CIRCLE_PROJECT_USERNAME && env.CIRCLE_PROJECT_REPONAME
          ? `${env.CIRCLE_PROJECT_USERNAME}/${env.CIRCLE_PROJECT_REPONAME}`
          : 'unknown/unknown',
      pullRequestNumber:
        positive(env.CIRCLE_PR_NUMBER) ??
        positive(/\/pull\/(\d+)/.exec(env.CIRCLE_PULL_REQUEST ?? '')?.[1]),
      commitSha: text(env.CIRCLE_SHA1),
      gateKey: env.CIRCLE_BUILD_NUM ? key(env.CIRCLE_WORKFLOW_ID, env.CIRCLE_BUILD_NUM) : undefined,
      runUrl: text(env.CIRCLE_BUILD_URL),
    }),
  },
];

/**
 * The change being gated, from the CI's own variables (GitLab, GitHub Actions, Jenkins,
 * Buildkite, CircleCI); outside a CI, an unknown repository and a fresh idempotency key.
 */
export function detectChange(env: Env): DetectedChange {
  const detector = DETECTORS.find((candidate) => candidate.detect(env));
  if (!detector) return { ci: 'no CI', repository: 'unknown/unknown', gateKey: randomUUID() };
  const { gateKey, runUrl, ...change } = detector.read(env);
  return {
    ci: detector.ci,
    ...change,
    ...(runUrl ? { runUrl } : {}),
    ...(detector.commitVariable ? { commitVariable: detector.commitVariable } : {}),
    gateKey: gateKey ?? randomUUID(),
  };
}

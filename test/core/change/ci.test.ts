import { describe, expect, it } from 'vitest';
import { detectChange, repositoryOfRemote } from '../../../src/core/change/ci.js';

const SHA = 'a1b2c3'.padEnd(40, '0');

describe('detectChange reads the change from each CI', () => {
  it.each([
    [
      'GitLab CI',
      {
        GITLAB_CI: 'true',
        CI_PROJECT_PATH: 'acme/agents',
        CI_MERGE_REQUEST_IID: '42',
        CI_COMMIT_SHA: SHA,
        CI_PIPELINE_ID: '7',
        CI_JOB_ID: '9',
      },
      { repository: 'acme/agents', pullRequestNumber: 42, gateKey: 'acme/agents/7/9' },
    ],
    [
      'Jenkins',
      {
        JENKINS_URL: 'https://ci.acme.test/',
        GIT_URL: 'git@github.com:acme/agents.git',
        CHANGE_ID: '17',
        GIT_COMMIT: SHA,
        JOB_NAME: 'agents/PR-17',
        BUILD_NUMBER: '3',
      },
      { repository: 'acme/agents', pullRequestNumber: 17, gateKey: 'agents/PR-17/3/' },
    ],
    [
      'Buildkite',
      {
        BUILDKITE: 'true',
        BUILDKITE_REPO: 'https://github.com/acme/agents.git',
        BUILDKITE_PULL_REQUEST: '5',
        BUILDKITE_COMMIT: SHA,
        BUILDKITE_BUILD_ID: 'b',
        BUILDKITE_JOB_ID: 'j',
      },
      { repository: 'acme/agents', pullRequestNumber: 5, gateKey: 'b/j' },
    ],
    [
      'CircleCI',
      {
        CIRCLECI: 'true',
        CIRCLE_PROJECT_USERNAME: 'acme',
        CIRCLE_PROJECT_REPONAME: 'agents',
        CIRCLE_PULL_REQUEST: 'https://github.com/acme/agents/pull/8',
        CIRCLE_SHA1: SHA,
        CIRCLE_WORKFLOW_ID: 'w',
        CIRCLE_BUILD_NUM: '12',
      },
      { repository: 'acme/agents', pullRequestNumber: 8, gateKey: 'w/12' },
    ],
    [
      'GitHub Actions',
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'acme/agents',
        GITHUB_SHA: SHA,
        GITHUB_RUN_ID: '99',
        GITHUB_EVENT_NAME: 'push',
      },
      { repository: 'acme/agents', gateKey: 'acme/agents/99/1//' },
    ],
  ])('%s', (ci, env, expected) => {
    expect(detectChange(env)).toMatchObject({ ci, commitSha: SHA, ...expected });
  });

  it('takes no merge request where the CI says there is none', () => {
    expect(
      detectChange({ BUILDKITE: 'true', BUILDKITE_PULL_REQUEST: 'false', BUILDKITE_REPO: 'x' })
        .pullRequestNumber,
    ).toBeUndefined();
    expect(
      detectChange({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'a/b' }).pullRequestNumber,
    ).toBeUndefined();
  });

  it('outside a CI: an unknown repository and a fresh key each time', () => {
    const [a, b] = [detectChange({}), detectChange({})];
    expect(a).toMatchObject({ ci: 'no CI', repository: 'unknown/unknown' });
    expect(a.gateKey).not.toBe(b.gateKey);
  });
});

describe('repositoryOfRemote', () => {
  it.each([
    ['https://github.com/acme/agents.git', 'acme/agents'],
    ['git@gitlab.com:acme/agents.git', 'acme/agents'],
    ['https://bitbucket.org/acme/agents/', 'acme/agents'],
    ['', undefined],
  ])('%s', (remote, repository) => expect(repositoryOfRemote(remote)).toBe(repository));
});

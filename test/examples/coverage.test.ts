import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';

/**
 * The examples are tests: every file in examples/ci/ is run, as it stands, by a test that
 * reads it. This table says which; a file it does not list fails the suite, saying to add its
 * test. (examples/workflows/ needs no table: test/examples/workflows.test.ts runs every file
 * in that folder.)
 */
const RUN_BY: Record<string, string> = {
  '.gitlab-ci.yml': 'test/e2e/gitlab-pipeline.test.ts',
  'matrix.gitlab-ci.yml': 'test/examples/gitlab.test.ts',
  'many-gates.gitlab-ci.yml': 'test/examples/gitlab-many-gates.test.ts',
  Jenkinsfile: 'test/examples/jenkins.test.ts',
  'baseline.Jenkinsfile': 'test/examples/jenkins.test.ts',
  'matrix.Jenkinsfile': 'test/examples/jenkins.test.ts',
  'promptfoo.Jenkinsfile': 'test/examples/jenkins-promptfoo.test.ts',
  'braintrust.Jenkinsfile': 'test/examples/jenkins-braintrust.test.ts',
  'promptfoo.gitlab-ci.yml': 'test/examples/gitlab-promptfoo.test.ts',
  'braintrust.gitlab-ci.yml': 'test/examples/gitlab-braintrust.test.ts',
};

const DIR = 'examples/ci';

/** What is wrong with the table for the files in `files`: one message each, empty when every file is run by a test that reads it. */
function uncovered(files: string[], table: Record<string, string> = RUN_BY): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const test = table[file];
    if (!test) {
      problems.push(
        `${DIR}/${file} is run by no test: add a test that runs it against the fakes (a Jenkinsfile: test/examples/jenkins.test.ts; a GitLab pipeline: test/examples/gitlab.test.ts) and list it in RUN_BY in test/examples/coverage.test.ts`,
      );
      continue;
    }
    if (!existsSync(join(REPOSITORY_ROOT, test))) {
      problems.push(`${DIR}/${file}: its test ${test} does not exist`);
      continue;
    }
    // The test must read the file itself (its path as a string), so that editing the example changes the test.
    const path = `${DIR}/${file}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (!new RegExp(`['"\`]${path}['"\`]`).test(readFileSync(join(REPOSITORY_ROOT, test), 'utf8')))
      problems.push(`${DIR}/${file}: ${test} does not name it, so it does not run it`);
  }
  for (const file of Object.keys(table))
    if (!files.includes(file))
      problems.push(
        `RUN_BY lists ${DIR}/${file}, which is no longer there: remove it from test/examples/coverage.test.ts`,
      );
  return problems;
}

describe('every example in examples/ci/ is run by a test', () => {
  const files = readdirSync(join(REPOSITORY_ROOT, DIR)).sort();

  it.each(files)(`${DIR}/%s is run by the test RUN_BY names, which reads it`, (file) => {
    expect(uncovered([file], RUN_BY[file] ? { [file]: RUN_BY[file] } : {})).toEqual([]);
  });

  it('lists no file that is gone', () => {
    expect(uncovered(files)).toEqual([]);
  });

  it('fails for an example without its test, and says what to do (this check can fail)', () => {
    expect(uncovered([...files, 'bitbucket-pipelines.yml'])).toEqual([
      expect.stringContaining(
        `${DIR}/bitbucket-pipelines.yml is run by no test: add a test that runs it`,
      ),
    ]);
    expect(
      uncovered(files, { ...RUN_BY, 'matrix.Jenkinsfile': 'test/examples/gitlab.test.ts' }),
    ).toEqual([
      `${DIR}/matrix.Jenkinsfile: test/examples/gitlab.test.ts does not name it, so it does not run it`,
    ]);
    expect(uncovered(files.filter((file) => file !== 'Jenkinsfile'))).toEqual([
      `RUN_BY lists ${DIR}/Jenkinsfile, which is no longer there: remove it from test/examples/coverage.test.ts`,
    ]);
  });
});

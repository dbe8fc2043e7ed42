import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';
import { repositoryFilesNamed, workflowProblems } from '../support/workflow-rules.js';

/**
 * Every workflow in examples/workflows/, and any added later, pastes: timeouts on every job,
 * permissions per job and the least each needs, `merge_group` and `push` to main beside
 * `pull_request`, and no script of this repository (test/support/workflow-rules.ts says each
 * rule and why). workflows.test.ts runs them; this says, by name, which rule one breaks.
 */

const DIR = 'examples/workflows';
const files = readdirSync(join(REPOSITORY_ROOT, DIR))
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();
const example = (file: string) => readFileSync(join(REPOSITORY_ROOT, DIR, file), 'utf8');

describe('the example workflows paste into another repository', () => {
  it.each(files)(`${DIR}/%s keeps the examples' rules`, (file) => {
    expect(workflowProblems(`${DIR}/${file}`, example(file))).toEqual([]);
  });

  describe('each rule fails a workflow that breaks it, and says the fix (these checks can fail)', () => {
    const good = example('reliability-gate.yml');
    const problems = (text: string) => workflowProblems('x.yml', text);

    it('keeps the good one', () => {
      expect(problems(good)).toEqual([]);
    });

    it('a job without timeout-minutes', () => {
      expect(problems(good.replace(/^ {4}timeout-minutes: .*\n/m, ''))).toEqual([
        expect.stringMatching(/^x\.yml: job "reliability-gate" has no `timeout-minutes`: add one/),
      ]);
    });

    it('write permissions for the whole workflow, or none said', () => {
      expect(
        problems(good.replace(/^permissions: \{\}.*$/m, 'permissions:\n  checks: write')),
      ).toEqual([
        expect.stringContaining(
          "x.yml: the workflow's own `permissions:` grant write to every job",
        ),
      ]);
      expect(problems(good.replace(/^permissions: \{\}.*$/m, 'permissions: write-all'))).toEqual([
        expect.stringContaining('write `permissions: {}` at the top'),
      ]);
      expect(problems(good.replace(/^permissions: \{\}.*\n/m, ''))).toEqual([
        expect.stringContaining('are not set, so jobs get the repository default'),
      ]);
    });

    it('a job without its own permissions, or with a write it never uses', () => {
      const jobPermissions = /^ {4}permissions:\n(?: {6}.*\n)+/m;
      expect(problems(good.replace(jobPermissions, ''))).toEqual([
        expect.stringContaining('job "reliability-gate" has no `permissions:` of its own'),
      ]);
      expect(
        problems(good.replace(jobPermissions, '    permissions:\n      contents: read\n')),
      ).toEqual([expect.stringContaining('reports a verdict but has no `checks: write`')]);
      expect(problems(good.replace('contents: read', 'contents: write'))).toEqual([
        expect.stringContaining('asks for `contents: write`, which the gate never uses'),
      ]);
    });

    it('a matrix leg that only uploads, given write', () => {
      const matrix = example('matrix-gate.yml');
      expect(problems(matrix)).toEqual([]);
      expect(
        problems(matrix.replace(/^( {6}contents: read.*\n)/m, '$1      checks: write\n')),
      ).toEqual([
        expect.stringContaining(
          'job "eval" asks for `checks: write` but reports no verdict (no gate step, or only a matrix leg\'s `shard`',
        ),
      ]);
    });

    it('a missing merge_group or push to main', () => {
      expect(problems(good.replace(/^ {2}merge_group:.*\n/m, ''))).toEqual([
        expect.stringContaining('runs on pull_request but not on `merge_group`'),
      ]);
      expect(problems(good.replace(/^ {2}push:\n.*\n/m, ''))).toEqual([
        expect.stringContaining('runs on pull_request but not on `push` to main'),
      ]);
      expect(problems(good.replace('branches: [main]', 'branches: [release]'))).toEqual([
        expect.stringContaining('not on `push` to main'),
      ]);
    });

    it('a step that runs a script of this repository, or a stand-in without its comment', () => {
      const pasted = good.replace(
        /^( {8}run: )\|\n(?: {10}.*\n)+/m,
        '$1node scripts/cli-recipe.ts --output trace.json\n',
      );
      expect(problems(pasted)).toEqual([
        expect.stringContaining(
          'step "Record a trace of the agent (your step)" runs scripts/cli-recipe.ts, a file of this repository',
        ),
      ]);
      expect(problems(good.replace(/^ *# Stand-in.*\n/m, ''))).toEqual([
        expect.stringContaining('has no comment line above it saying what replaces it'),
      ]);
    });
  });

  it('tells a file of this repository from what the example writes or the user holds', () => {
    expect(
      repositoryFilesNamed(
        'node scripts/cli-recipe.ts --output trace.json && bash ./scripts/promptfoo-fixtures.sh',
      ),
    ).toEqual(['scripts/cli-recipe.ts', 'scripts/promptfoo-fixtures.sh']);
    expect(
      repositoryFilesNamed(
        'npx --yes promptfoo@0.123.1 eval -c promptfooconfig.yaml -o results.json; jq . "traces/$agent.json" .github/reliability-gates.yml',
      ),
    ).toEqual([]);
  });
});

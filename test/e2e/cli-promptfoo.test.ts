import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { type PromptfooSource, promptfooWorkspace } from '../support/promptfoo.js';
import { runCli } from '../support/runner.js';

/** The bundled command line in a CI job's folder that holds promptfoo's results as results.json. */
async function gate(file: PromptfooSource, args: string[] = []) {
  const cwd = promptfooWorkspace({ 'results.json': file });
  const run = await runCli(
    ['--backend', 'promptfoo', '--results-file', 'results.json', '--junit', 'gate.xml', ...args],
    { TMPDIR: cwd },
    cwd,
  );
  const junit = new XMLParser({ ignoreAttributes: false }).parse(
    readFileSync(join(cwd, 'gate.xml'), 'utf8'),
  ) as { testsuites: Record<string, string> };
  return { run, junit: junit.testsuites };
}

describe('the bundled command line on a promptfoo results file', () => {
  it('pass: exit 0, no token asked for', async () => {
    const { run, junit } = await gate('pass');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('pass: promptfoo: 4 of 4 rows of "support agent" passed');
    expect(junit['@_failures']).toBe('0');
  });

  it("fail by assertion: exit 1, the threshold a failing JUnit case, in the flags' words", async () => {
    const { run, junit } = await gate('regressed');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('failures 2 > 0 (--max-failures)');
    expect(junit['@_failures']).toBe('1');
    // Text from the file is data: no workflow command or escape sequence reaches the log.
    expect(run.stdout + run.stderr).not.toMatch(/^::/m);
  });

  it('provider errors: could not evaluate, a JUnit error, not a failure', async () => {
    const { run, junit } = await gate('errors');
    // Exit 3: could not evaluate, apart from a regression.
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain('promptfoo could not evaluate');
    expect(run.stdout).toContain('under --min-coverage 100%');
    expect(junit['@_errors']).toBe('1');
    expect(junit['@_failures']).toBe('0');
  });

  it("a token given with promptfoo is refused in the command line's words, exit 2", async () => {
    const cwd = promptfooWorkspace({ 'results.json': 'pass' });
    const run = await runCli(
      ['--backend', 'promptfoo', '--results-file', 'results.json'],
      { GATE_TOKEN: 'sk-live-1', TMPDIR: cwd },
      cwd,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('GATE_TOKEN is not read with --backend promptfoo');
    expect(run.stderr + run.stdout).not.toContain('sk-live-1');
  });
});

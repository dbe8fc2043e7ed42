import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
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
  return { run: { ...run, cwd }, junit: junit.testsuites };
}

/** The JUnit report's test cases of promptfoo's cases (one per case, apart from the gate's own). */
function junitCases(cwd: string) {
  const text = readFileSync(join(cwd, 'gate.xml'), 'utf8');
  expect(XMLValidator.validate(text)).toBe(true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  }).parse(text) as {
    testsuites: {
      testsuite: {
        testcase: {
          classname: string;
          name: string;
          failure?: { message: string; type: string };
          error?: { message: string; type: string };
          'system-out'?: string;
        }[];
      }[];
    };
  };
  return parsed.testsuites.testsuite
    .flatMap((suite) => suite.testcase)
    .filter((c) => c.classname.endsWith(' / cases'));
}

describe('the JUnit report of a promptfoo verdict lists each case', () => {
  it("a failing case fails with promptfoo's assertion, hostile text kept as text; a passing one passes", async () => {
    const { run } = await gate('regressed');
    expect(run.exitCode).toBe(1);
    const cases = junitCases(run.cwd);
    expect(cases.map((c) => c.name).sort()).toEqual(
      [
        'cancel @octocat <img src=x onerror=alert(1)> ::error::pwned',
        'change the delivery address',
        'order status',
        'refund within 30 days',
      ].sort(),
    );
    const refund = cases.find((c) => c.name === 'refund within 30 days');
    expect(refund?.failure).toMatchObject({
      type: 'failed',
      message: 'failed 1 of 1: Expected output to contain "30 days"',
    });
    const hostile = cases.find((c) => c.name.startsWith('cancel @octocat'));
    expect(hostile?.failure?.message).toContain('billing <b>now</b> @admin');
    expect(cases.find((c) => c.name === 'order status')).not.toHaveProperty('failure');
  });

  it('a case that only errored is in error, not a failure, with its first line', async () => {
    const { run } = await gate('errors', ['--min-coverage', '50']);
    const cases = junitCases(run.cwd);
    expect(cases).toHaveLength(5);
    const invoice = cases.find((c) => c.name === 'finds the invoice');
    expect(invoice?.error).toMatchObject({
      type: 'errored',
      message: expect.stringContaining('errored 1 of 1: ') as unknown as string,
    });
    expect(invoice?.error?.message).toContain('upstream search index unavailable (503)');
    expect(invoice).not.toHaveProperty('failure');
    expect(cases.filter((c) => c.failure).map((c) => c.name)).toEqual(['finds the contract']);
  });

  it('a case run with --repeat says how often it passed; where the gate passed, a failing case is no failed test', async () => {
    const { run } = await gate('repeats', ['--min-pass-rate', '0.5']);
    expect(run.exitCode).toBe(0);
    const cases = junitCases(run.cwd);
    const proration = cases.find((c) => c.name === 'proration');
    expect(proration?.failure).toBeUndefined();
    expect(proration?.['system-out']).toBe(
      `warning: failed 1 of 3, passed 2 of 3: Expected output to contain "prorated" (within the gate's thresholds)`,
    );
    expect(cases.find((c) => c.name === 'invoice total')?.['system-out']).toBe('passed 3 of 3');
  });
});

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
    // The threshold, and each failing case.
    expect(junit['@_failures']).toBe('3');
    // Text from the file is data: no workflow command or escape sequence reaches the log.
    expect(run.stdout + run.stderr).not.toMatch(/^::/m);
  });

  it('provider errors: could not evaluate, a JUnit error, not a failure', async () => {
    const { run, junit } = await gate('errors');
    // Exit 3: could not evaluate, apart from a regression.
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain('promptfoo could not evaluate');
    expect(run.stdout).toContain('under --min-coverage 100%');
    // A verdict that could not evaluate keeps no case: one case in error, no failure.
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

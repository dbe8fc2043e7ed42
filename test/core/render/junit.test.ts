import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { sepurux } from '../../../src/core/backends/sepurux/index.js';
import { renderJUnit } from '../../../src/core/render/junit.js';
import { decide, failedVerdict } from '../../../src/core/verdict/verdict.js';
import { type CaseOutcome, MAX_CASES_KEPT, summarizeCases } from '../../../src/core/cases/types.js';

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);

describe('renderJUnit', () => {
  it('is well-formed and carries hostile backend text as text', () => {
    const verdict = decide(
      sepurux,
      {
        decision: 'fail',
        status: 'done',
        reason: 'bad </failure><x a="1"> & \u0001 "quotes" \'',
        ids: { run_id: 'r&1' },
        figures: { pass_rate: 0.5 },
        thresholds: [
          {
            input: 'min_pass_rate',
            figure: 'pass_rate',
            comparator: '>=',
            limit: 0.85,
            breaks: 'fail',
          },
        ],
        topFailingTools: [],
      },
      1500,
    );
    const xml = renderJUnit(verdict, 'Gate <1>');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'Gate <1>', tests: '2', failures: '2', time: '1.500' });
    expect(suite.testcase[0].failure.message).toBe(verdict.reason.replace('\u0001', ''));
    expect(suite.testcase[1].failure.message).toBe('pass rate 0.5 < 0.85 (`min_pass_rate`)');
    expect(suite.properties.property).toContainEqual({ name: 'run_id', value: 'r&1' });
  });

  it('counts a threshold that only warns as no failed test: it passes, its output says why', () => {
    const verdict = decide(
      sepurux,
      {
        decision: 'pass',
        status: 'done',
        ids: {},
        figures: { pass_rate: 0.8 },
        thresholds: [
          {
            input: 'min_pass_rate',
            figure: 'pass_rate',
            comparator: '>=',
            limit: 0.85,
            breaks: 'warn',
          },
        ],
        topFailingTools: [],
      },
      1,
    );
    expect(verdict.decision).toBe('warn');
    const xml = renderJUnit(verdict, 'G');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '2', failures: '0' });
    expect(suite.testcase[1].failure).toBeUndefined();
    expect(suite.testcase[1]['system-out']).toBe('warning: pass rate 0.8 < 0.85 (`min_pass_rate`)');
  });

  it('passes each case that holds, and shows a gate that could not evaluate as one case in error, apart from failures', () => {
    const passing = decide(
      sepurux,
      {
        decision: 'pass',
        status: 'done',
        ids: {},
        figures: { pass_rate: 0.9 },
        thresholds: [],
        topFailingTools: [],
      },
      1,
    );
    expect(parse(renderJUnit(passing, 'G')).testsuites.testsuite).toMatchObject({
      tests: '1',
      failures: '0',
      testcase: { name: 'Sepurux decision' },
    });
    const broken = parse(
      renderJUnit(failedVerdict('Sepurux', 'No verdict within the 5s timeout.', {}, 5000), 'G'),
    ).testsuites.testsuite;
    expect(broken).toMatchObject({
      tests: '1',
      failures: '0',
      errors: '1',
      testcase: {
        name: 'Sepurux verdict',
        error: { message: 'No verdict within the 5s timeout.' },
      },
    });
  });
});

describe("renderJUnit: a backend's cases, one test case each", () => {
  const outcome = (
    name: string,
    passed: number,
    failed: number,
    errored: number,
    reason?: string,
  ) => ({
    id: name,
    name,
    passed,
    failed,
    errored,
    ...(reason ? { reason } : {}),
  });
  const verdictWith = (cases: CaseOutcome[], decision: 'pass' | 'fail' = 'fail') =>
    decide(
      sepurux,
      {
        decision,
        status: 'done',
        ids: {},
        figures: { pass_rate: 0.9 },
        thresholds: [],
        topFailingTools: [],
        cases: summarizeCases(cases),
      },
      1,
    );

  it('passes, fails with the reason, or errors each case; outside text is text, and a split pair is dropped', () => {
    const hostile = 'bad </failure><x a="1"> & \u0001 "q" \ud83d';
    const xml = renderJUnit(
      verdictWith([
        outcome('steady', 3, 0, 0),
        outcome(`flaky ${hostile}`, 2, 1, 0, `Expected ${hostile}`),
        outcome('down', 0, 0, 1, 'Error: 503'),
      ]),
      'G',
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    // The backend's failing decision, and the failing case.
    expect(suite).toMatchObject({ tests: '4', failures: '2', errors: '1', skipped: '0' });
    const [, flaky, down, steady] = suite.testcase;
    expect(flaky).toMatchObject({
      classname: 'G / cases',
      // The control character and the lone surrogate dropped (the parser trims the space left).
      name: 'flaky bad </failure><x a="1"> &  "q"',
      failure: {
        type: 'failed',
        message: 'failed 1 of 3, passed 2 of 3: Expected bad </failure><x a="1"> &  "q"',
      },
    });
    expect(down).toMatchObject({
      name: 'down',
      error: { type: 'errored', message: 'errored 1 of 1: Error: 503' },
    });
    expect(steady).toMatchObject({ name: 'steady', 'system-out': 'passed 3 of 3' });
  });

  it('passes a failing or errored case where the gate passed, its output saying so (no UNSTABLE build on a passing gate)', () => {
    const xml = renderJUnit(
      verdictWith(
        [
          outcome('steady', 1, 0, 0),
          outcome('flaky', 0, 1, 0, 'Expected 4'),
          outcome('down', 0, 0, 1),
        ],
        'pass',
      ),
      'G',
    );
    const suite = parse(xml).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '4', failures: '0', errors: '0' });
    const [, flaky, down] = suite.testcase;
    expect(flaky).toMatchObject({
      name: 'flaky',
      'system-out': "warning: failed 1 of 1: Expected 4 (within the gate's thresholds)",
    });
    expect(down).toMatchObject({
      name: 'down',
      'system-out': "warning: errored 1 of 1 (within the gate's thresholds)",
    });
  });

  it('says how many cases the verdict left out, and how many of them failed, in one skipped case', () => {
    const many = Array.from({ length: MAX_CASES_KEPT + 5 }, (_, i) =>
      i < MAX_CASES_KEPT + 2 ? outcome(`failing ${i}`, 0, 1, 0) : outcome(`passing ${i}`, 1, 0, 0),
    );
    const suite = parse(renderJUnit(verdictWith(many), 'G')).testsuites.testsuite;
    // The backend's failing decision, and every failing case listed.
    expect(suite).toMatchObject({ failures: String(MAX_CASES_KEPT + 1), skipped: '1' });
    expect(suite.testcase.at(-1)).toMatchObject({
      name: '5 more cases',
      skipped: {
        message: `not listed: the verdict keeps ${MAX_CASES_KEPT} of ${MAX_CASES_KEPT + 5} cases, failing ones first; 2 of those left out failed`,
      },
    });
  });
});

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { sepurux } from '../../../src/core/backends/sepurux/index.js';
import { renderJUnit } from '../../../src/core/render/junit.js';
import { decide, failedVerdict } from '../../../src/core/verdict/verdict.js';

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

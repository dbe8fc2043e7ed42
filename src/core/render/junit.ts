import type { ShardRow } from '../aggregate/types.js';
import { describeThreshold, type ThresholdResult, type Verdict } from '../verdict/verdict.js';
import type { InputWord } from '../inputs/declare.js';
import { type CaseOutcome, type CaseSummary, caseState } from '../cases/types.js';

/**
 * XML text: the five special characters escaped, and characters XML 1.0 cannot hold dropped: the
 * control characters, U+FFFE and U+FFFF, and a surrogate without its pair (JSON may escape one,
 * and a name cut to its length may split a pair), which no XML parser reads.
 */
function xml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      .replace(
        /[&<>"']/g,
        (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
      )
  );
}

interface TestCase {
  name: string;
  /** Why it failed; absent when it passed. */
  failure?: string;
  /** Why it could not be evaluated (JUnit's "error": the test did not run), apart from a failure. */
  error?: string;
  /** A threshold broken where it only warns: the case passes (a warning is no failed test), its output says why. */
  warning?: string;
  /** Not run or not listed, saying why. */
  skipped?: string;
  /** What its output says beside a pass (a case sampled more than once: "passed 3 of 3"). */
  output?: string;
  /** Its JUnit class where it is not the suite's: the backend's cases sit apart from the gate's own. */
  classname?: string;
  /** The type of its failure or error, where it is not the verdict's. */
  type?: string;
}

/** How often a case's samples passed, failed or errored: "passed 2 of 3", "errored 1 of 3". */
function samplesOf(outcome: CaseOutcome): string {
  const of = outcome.passed + outcome.failed + outcome.errored;
  const said = [
    outcome.failed > 0 ? `failed ${outcome.failed} of ${of}` : '',
    outcome.errored > 0 ? `errored ${outcome.errored} of ${of}` : '',
    outcome.passed > 0 ? `passed ${outcome.passed} of ${of}` : '',
  ];
  return said.filter(Boolean).join(', ');
}

/**
 * The backend's cases (a suite's tests) as test cases, so a CI lists each one: a passing case
 * passes, a failing one fails with its reason (an assertion's message, outside text: escaped where
 * written), a case that only errored is in error (not evaluated), as the gate counts them. The
 * verdict keeps its cases bounded, failing first: the ones it left out are one skipped case
 * that says how many, and how many of them failed. Where the gate did not fail (its thresholds
 * allow a few failing cases), a failing or errored case passes with its output saying so, as a
 * threshold that only warns does: Jenkins' `junit` step would otherwise mark a passing gate's
 * build UNSTABLE, and GitLab list failed tests under a green job.
 */
function caseTests(summary: CaseSummary, suite: string, gateFailed: boolean): TestCase[] {
  const classname = `${suite} / cases`;
  const tests = summary.cases.map((outcome): TestCase => {
    const samples = samplesOf(outcome);
    const state = caseState(outcome);
    const why = outcome.reason ? `${samples}: ${outcome.reason}` : samples;
    if (state === 'passing')
      return { name: outcome.name, classname, ...(outcome.passed > 1 ? { output: samples } : {}) };
    if (!gateFailed)
      return { name: outcome.name, classname, warning: `${why} (within the gate's thresholds)` };
    return state === 'failing'
      ? { name: outcome.name, classname, failure: why, type: 'failed' }
      : { name: outcome.name, classname, error: why, type: 'errored' };
  });
  if (summary.omitted > 0) {
    const listedFailing = summary.cases.filter((c) => caseState(c) === 'failing').length;
    const failing = summary.failing - listedFailing;
    tests.push({
      name: `${summary.omitted} more ${summary.omitted === 1 ? 'case' : 'cases'}`,
      classname,
      skipped: `not listed: the verdict keeps ${summary.cases.length} of ${summary.total} cases, failing ones first${failing > 0 ? `; ${failing} of those left out failed` : ''}`,
    });
  }
  return tests;
}

/** A threshold as a test case: `<input>: <figure> ≥ 0.85`, failing with why. */
function thresholdCase(t: ThresholdResult, word: InputWord, prefix = ''): TestCase {
  // The threshold said in the door's words, as its reason says it: `max_unsafe`, or --max-unsafe.
  const named = word(t.input);
  const said = () =>
    describeThreshold(t).replaceAll(`\`${t.input}\``, named === t.input ? `\`${named}\`` : named);
  return {
    name: `${prefix}${word(t.input)}: ${t.label.toLowerCase()} ${t.comparator === '>=' ? '≥' : '≤'} ${t.limit}`,
    ...(t.holds ? {} : t.breaks === 'warn' ? { warning: said() } : { failure: said() }),
  };
}

/** A shard of an aggregate as a test case: it fails when the shard's own verdict did. */
function shardCase(shard: ShardRow): TestCase {
  return {
    name: `shard ${shard.shard}`,
    ...(shard.decision === 'fail' ? { failure: shard.reason } : {}),
  };
}

/**
 * The verdict as JUnit XML, the report GitLab (`artifacts:reports:junit`), Jenkins (the junit
 * step) and most CIs show: one test case for the backend's decision and one per threshold,
 * each failure carrying its reason. A gate that could not evaluate is one case in error (JUnit's
 * "did not run", which CIs count apart from failures and fail the build for all the same).
 * Many gates (`config`): a suite per entry, an entry not affected by the change a skipped case,
 * and so one the change removed (saying the base commit's last verdict of it).
 */
export function renderJUnit(
  verdict: Verdict,
  suite: string,
  word: InputWord = (input) => input,
): string {
  const suites = verdict.gates
    ? verdict.gates.entries
        .map((entry) =>
          entry.verdict
            ? // An entry names its inputs as the config file spells them, whichever door reads it.
              suiteOf(entry.verdict, `${suite} / ${entry.name}`, (input) => input)
            : skippedSuite(`${suite} / ${entry.name}`, `not affected: ${entry.why}`),
        )
        .concat(
          (verdict.gates.removed ?? []).map((entry) =>
            skippedSuite(
              `${suite} / ${entry.name}`,
              `removed by this change: the base commit's last verdict was ${entry.decision} (${entry.sha.slice(0, 12)}); not evaluated`,
            ),
          ),
        )
    : [suiteOf(verdict, suite, word)];
  const sum = (key: 'tests' | 'failures' | 'errors') =>
    suites.reduce((total, s) => total + s[key], 0);
  const seconds = (verdict.durationMs / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" time="${seconds}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

interface Suite {
  lines: string[];
  tests: number;
  failures: number;
  errors: number;
}

/** An entry the change did not reach: one skipped case, saying why (never a pass). */
function skippedSuite(name: string, why: string): Suite {
  return {
    lines: [
      `  <testsuite name="${xml(name)}" tests="1" failures="0" errors="0" skipped="1" time="0">`,
      `    <testcase classname="${xml(name)}" name="${xml(name)}" time="0">\n      <skipped message="${xml(why)}"/>\n    </testcase>`,
      '  </testsuite>',
    ],
    tests: 1,
    failures: 0,
    errors: 0,
  };
}

/** One gate's verdict as a test suite. */
function suiteOf(verdict: Verdict, suite: string, word: InputWord): Suite {
  const shards = verdict.shards ?? [];
  const cases: TestCase[] =
    verdict.outcome !== 'evaluated'
      ? [
          { name: `${verdict.backend} verdict`, error: verdict.reason },
          ...shards.map((s) => shardCase(s)),
        ]
      : shards.length > 0
        ? // An aggregate: a test case per shard, then the pooled thresholds.
          [
            ...shards.map((s) => shardCase(s)),
            ...verdict.thresholds.map((t) => thresholdCase(t, word, 'pooled ')),
          ]
        : [
            {
              name: `${verdict.backend} decision`,
              ...(verdict.backendDecision === 'fail' ? { failure: verdict.reason } : {}),
            },
            ...verdict.thresholds.map((t) => thresholdCase(t, word)),
          ];
  if (verdict.cases) cases.push(...caseTests(verdict.cases, suite, verdict.decision === 'fail'));
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const seconds = (verdict.durationMs / 1000).toFixed(3);
  const properties = [
    ['decision', verdict.decision],
    ...Object.entries(verdict.ids).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
    ...(verdict.dashboardUrl ? [['dashboard_url', verdict.dashboardUrl]] : []),
  ];
  const lines = [
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds}">`,
    '    <properties>',
    ...properties.map(
      ([name, value]) => `      <property name="${xml(name ?? '')}" value="${xml(value ?? '')}"/>`,
    ),
    '    </properties>',
    ...cases.map((c) => testCaseXml(c, suite, verdict)),
    '  </testsuite>',
  ];
  return { lines, tests: cases.length, failures, errors };
}

/** One test case as XML: every text in it escaped, outside text (a case's name, its reason) above all. */
function testCaseXml(c: TestCase, suite: string, verdict: Verdict): string {
  const open = `    <testcase classname="${xml(c.classname ?? suite)}" name="${xml(c.name)}" time="0"`;
  const body =
    c.error !== undefined
      ? `<error message="${xml(c.error)}" type="${xml(c.type ?? verdict.outcome)}">${xml(c.error)}</error>`
      : c.failure !== undefined
        ? `<failure message="${xml(c.failure)}" type="${xml(c.type ?? verdict.decision)}">${xml(c.failure)}</failure>`
        : c.skipped !== undefined
          ? `<skipped message="${xml(c.skipped)}"/>`
          : c.warning !== undefined
            ? `<system-out>warning: ${xml(c.warning)}</system-out>`
            : c.output !== undefined
              ? `<system-out>${xml(c.output)}</system-out>`
              : undefined;
  return body === undefined ? `${open}/>` : `${open}>\n      ${body}\n    </testcase>`;
}

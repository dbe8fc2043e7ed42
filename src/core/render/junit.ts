import type { ShardRow } from '../aggregate/types.js';
import { describeThreshold, type ThresholdResult, type Verdict } from '../verdict/verdict.js';
import type { InputWord } from '../inputs/declare.js';

/** XML text: the five special characters escaped, and characters XML 1.0 cannot hold dropped. */
function xml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
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
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const seconds = (verdict.durationMs / 1000).toFixed(3);
  const properties = [
    ['decision', verdict.decision],
    ...Object.entries(verdict.ids).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
    ...(verdict.dashboardUrl ? [['dashboard_url', verdict.dashboardUrl]] : []),
  ];
  const lines = [
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}">`,
    '    <properties>',
    ...properties.map(
      ([name, value]) => `      <property name="${xml(name ?? '')}" value="${xml(value ?? '')}"/>`,
    ),
    '    </properties>',
    ...cases.map((c) =>
      c.error !== undefined
        ? `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0">\n      <error message="${xml(c.error)}" type="${verdict.outcome}">${xml(c.error)}</error>\n    </testcase>`
        : c.failure !== undefined
          ? `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0">\n      <failure message="${xml(c.failure)}" type="${verdict.decision}">${xml(c.failure)}</failure>\n    </testcase>`
          : c.warning !== undefined
            ? `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0">\n      <system-out>warning: ${xml(c.warning)}</system-out>\n    </testcase>`
            : `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0"/>`,
    ),
    '  </testsuite>',
  ];
  return { lines, tests: cases.length, failures, errors };
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { checkJson } from '../support/json-check.js';
import { REPORT_VERSION } from './write.js';
import { excerpt } from '../support/text.js';
import { checkThreshold, type Verdict, worst } from '../verdict/verdict.js';
import { FIGURE_SPECS } from '../backends/vocabulary.js';
import { decision, ShardReport, VerdictReport } from './schema.js';

const MAX_REPORT_BYTES = 8 * 1024 * 1024;
/** A shard's verdict, read back from its report file and checked. */
export interface ShardVerdict extends Verdict {
  shard: string;
  checkName: string;
  headSha?: string;
  /** The file it came from, for messages. */
  file: string;
}

/** A report file read back and checked, with what it is about. */
export interface ReadReport extends Verdict {
  checkName: string;
  headSha?: string;
  shard?: string;
  /** When the gate wrote it (reports of older releases do not say). */
  writtenAt?: string;
  /** The file it came from, for messages. */
  file: string;
}

/**
 * Reads one shard's report and checks it can be trusted: it parses, names its version, shard,
 * check and commit, and its decision is what its own thresholds and backend decision make
 * (a report edited by hand to say pass is caught). Returns why not, as a sentence naming the
 * file, or the verdict.
 */
export async function readShardReport(path: string): Promise<ShardVerdict | string> {
  const report = await readReport(path);
  if (typeof report === 'string') return report;
  if (!report.shard)
    return `report ${report.file} belongs to no shard: the gate that wrote it had no \`shard\` input`;
  if (report.gates)
    return `report ${report.file} is of many gates (\`config\`), which is never a shard`;
  return { ...report, shard: report.shard };
}

/** Reads any report file (a shard's, a baseline's) and checks it as {@link readShardReport} does, but for the shard. */
export async function readReport(path: string): Promise<ReadReport | string> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return `report ${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return reportFromBytes(bytes, name);
}

/** A report file's bytes (read from disk, or fetched: a pipeline's artifact), checked as {@link readReport} checks a file. */
export function reportFromBytes(bytes: Buffer, name: string): ReadReport | string {
  if (bytes.length > MAX_REPORT_BYTES)
    return `report ${name} is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB`;
  const shape = checkJson(bytes, { rejectDuplicateKeys: true });
  if (!shape.ok) return `report ${name} is not valid JSON (${shape.error})`;
  const json = JSON.parse(bytes.toString('utf8')) as { version?: unknown };
  if (json?.version !== REPORT_VERSION)
    return `report ${name} has format version ${excerpt(String(json?.version), 20)}, not ${REPORT_VERSION}; aggregate reports of the same release of the gate`;
  const parsed = ShardReport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `report ${name} does not have the report format (${issue?.path.join('.') || '(file)'}: ${issue?.message})`;
  }
  const report = parsed.data;
  const altered = contradiction(report);
  if (altered)
    return `report ${name}${report.shard ? ` (shard ${report.shard})` : ''} contradicts itself: ${altered}; it was changed after the gate wrote it`;
  return { ...report, file: name } as ReadReport;
}

/**
 * Why a report's decision or thresholds cannot be what the gate wrote, or undefined. A report of
 * many gates is checked entry by entry, and its decision must be the worst of those that ran.
 */
function contradiction(report: z.output<typeof ShardReport>): string | undefined {
  if (!report.gates) return verdictContradiction(report);
  // The step's verdict over many gates judges nothing itself: its figures and thresholds are its entries'.
  if (
    report.thresholds.length > 0 ||
    Object.keys(report.figures).length > 0 ||
    report.backendDecision
  )
    return 'a verdict of many gates holds figures, thresholds or a backend decision of its own';
  if (
    report.outcome === 'evaluated' &&
    !report.gates.entries.some((e) => e.verdict?.outcome === 'evaluated') &&
    report.gates.entries.some((e) => e.ran)
  )
    return 'it says it was evaluated, yet no gate that ran was';
  // An entry the change removed warns at best, as does one whose evaluation changed.
  let expected: z.output<typeof decision> =
    (report.gates.removed?.length ?? 0) > 0 ? 'warn' : 'pass';
  for (const entry of report.gates.entries) {
    if (entry.ran !== (entry.verdict !== undefined))
      return `gate \`${entry.name}\` says it ${entry.ran ? 'ran' : 'did not run'}, with${entry.verdict ? '' : 'out'} a verdict`;
    if (!entry.verdict) continue;
    const wrong = verdictContradiction(entry.verdict, entry.notComparable ? 'warn' : 'pass');
    if (wrong) return `gate \`${entry.name}\`: ${wrong}`;
    expected = worst(expected, entry.verdict.decision);
  }
  return expected === report.decision
    ? undefined
    : `its decision is ${report.decision} where its gates make ${expected}`;
}

/** Why one verdict's decision or thresholds cannot be what the gate wrote (`least` at best: an entry whose evaluation changed warns), or undefined. */
function verdictContradiction(
  report: z.output<typeof VerdictReport>,
  least: z.output<typeof decision> = 'pass',
): string | undefined {
  // A report written before thresholds said their rule, where `repeats: auto` let a decided call alone judge.
  const legacy = report.repeats?.mode === 'auto' && !report.thresholds.some((t) => t.decidedBy);
  for (const threshold of report.thresholds) {
    // A threshold judged on an interval, or decided by policy for want of a comparison, rests on data the report does not carry.
    if (threshold.interval !== undefined || threshold.unmeasured !== undefined) continue;
    // The case-by-case test's figure is its p, which holds at or above its level.
    if (threshold.decidedBy?.rule === 'cases') {
      if (threshold.actual === undefined || threshold.holds !== threshold.actual >= threshold.limit)
        return `threshold \`${threshold.input}\` says ${threshold.holds ? 'holds' : 'breaks'} on a p that says otherwise`;
      continue;
    }
    if (threshold.figure === 'repeats_passed') {
      const passed = report.repeats?.passed;
      if (
        passed === undefined ||
        threshold.actual !== passed ||
        threshold.holds !== (passed === report.repeats?.run)
      )
        return `threshold \`${threshold.input}\` says ${threshold.holds ? 'holds' : 'breaks'} on repeats that say otherwise`;
      continue;
    }
    // Judged again on the point value alone; a threshold's own rule is applied below.
    const plain: Omit<ReportThreshold, 'decidedBy'> & { decidedBy?: unknown } = { ...threshold };
    delete plain.decidedBy;
    const again = checkThreshold(
      { ...plain, interval: undefined, unmeasured: undefined },
      report.figures,
      FIGURE_SPECS,
    );
    const test = report.repeats?.sequential?.find((s) => s.input === threshold.input);
    if (threshold.decidedBy || test) {
      const wrong = sequentialContradiction(threshold, test, again.holds, legacy);
      if (wrong || again.actual !== threshold.actual)
        return (
          wrong ??
          `threshold \`${threshold.input}\` says ${threshold.holds ? 'holds' : 'breaks'} on figures that say otherwise`
        );
      continue;
    }
    if (again.holds !== threshold.holds || again.actual !== threshold.actual)
      return `threshold \`${threshold.input}\` says ${threshold.holds ? 'holds' : 'breaks'} on figures that say otherwise`;
  }
  const left = report.attempts?.errors.filter((error) => !error.retried).length ?? 0;
  if (report.outcome === 'evaluated' && left > 0)
    return `it says it was evaluated, yet lists ${left} run${left === 1 ? '' : 's'} left without a verdict`;
  if (report.outcome !== 'evaluated')
    return report.decision === 'fail'
      ? undefined
      : `a gate that could not evaluate says ${report.decision}`;
  if (!report.backendDecision) return 'it has no backend decision';
  const expected = report.thresholds
    .filter((t) => !t.holds)
    .reduce((acc, t) => worst(acc, t.breaks), worst(report.backendDecision, least));
  return expected === report.decision
    ? undefined
    : `its decision is ${report.decision} where its backend decision and thresholds make ${expected}`;
}

type ReportThreshold = z.output<typeof VerdictReport>['thresholds'][number];
type ReportTest = NonNullable<
  NonNullable<z.output<typeof VerdictReport>['repeats']>['sequential']
>[number];

/**
 * Why a threshold judged by the sequential test (`repeats: auto`) cannot be what the gate wrote:
 * its call must be the one the recorded test state makes (a call that "holds" or "breaks" past
 * its bound), and it holds exactly when the point value holds and the call is not `breaks`. A
 * report of an older release (`legacy`, no `decidedBy` anywhere) was judged by a decided call
 * alone, and is read by that rule.
 */
function sequentialContradiction(
  threshold: ReportThreshold,
  test: ReportTest | undefined,
  pointHolds: boolean,
  legacy: boolean,
): string | undefined {
  const named = `threshold \`${threshold.input}\``;
  if (!test)
    return `${named} says the sequential test judged it, but the report holds no sequential test for it`;
  if (
    (test.call === 'holds' && !(test.llr >= test.upper)) ||
    (test.call === 'breaks' && !(test.llr <= test.lower))
  )
    return `the sequential test of ${named} says ${test.call} on a log-likelihood ratio that says otherwise`;
  if (threshold.decidedBy?.rule === 'sequential' && threshold.decidedBy.call !== test.call)
    return `${named} says the sequential test called it ${threshold.decidedBy.call}, where the test says ${test.call}`;
  if (!threshold.decidedBy && !legacy)
    return `${named} has a sequential test but does not say it was judged by it`;
  const expected =
    !threshold.decidedBy && test.call !== 'undecided'
      ? test.call === 'holds'
      : pointHolds && test.call !== 'breaks';
  return expected === threshold.holds
    ? undefined
    : `${named} says ${threshold.holds ? 'holds' : 'breaks'} where its figures and sequential test make it ${expected ? 'hold' : 'break'}`;
}

import { type BaselineComparison, BaselineRecord } from './record.js';
import { type Interval, meanAndSd, tQuantile } from '../support/stats.js';
import { type ReadReport, readReport } from '../report-file/read.js';
import { InputError } from '../support/errors.js';
import { truncate } from '../support/text.js';
import {
  checkThreshold,
  type Decision,
  describeThreshold,
  type Figures,
  MAX_REASON_CHARS,
  type ThresholdResult,
  type Verdict,
  worst,
} from '../verdict/verdict.js';
import { COMPARABLE_SPECS, figureSpec } from '../backends/vocabulary.js';
import type { Backend } from '../backends/types.js';
import type { RawInputs } from '../inputs/fields.js';
import type { z } from 'zod';

/** The figure of a drop threshold is its figure's name and this: `<figure>_drop`. */
const DROP_SUFFIX = '_drop';

// The record's shape lives apart, so that a verdict can carry a comparison without importing how it is made.
export { BaselineRecord, type BaselineComparison };

const MARK = 'agent-reliability-gate-record';
const RECORD = new RegExp(`<!-- ${MARK}:v1:([A-Za-z0-9+/=]+) -->`);

/**
 * Most characters a record may take in a check run's `output.text`: GitHub refuses a text over
 * 65,535 characters (HTTP 422), and a refused write would leave the required check unfinished.
 */
export const RECORD_MAX_CHARS = 60_000;
/** Ids longer than this are the first thing a record too large drops after its lists: no backend's id is that long. */
const LONG_ID_CHARS = 200;

/** A record as its check run holds it, and what had to be left out to fit, said in one sentence. */
export interface EncodedRecord {
  /** The hidden record; undefined when even its figures do not fit (then the check holds none). */
  text?: string;
  omitted?: NonNullable<BaselineRecord['omitted']>;
  /** What was left out, for the check's summary and the log. */
  said?: string;
}

/** The record of `verdict` for its check run, hidden in markdown (base64, so no text can end the comment). */
export function encodeRecord(
  verdict: Verdict,
  checkName: string,
  headSha: string,
  now = new Date(),
): string {
  return hide(recordOf(verdict, checkName, headSha, now));
}

/**
 * The record of `verdict` bounded to `maxChars`: what comparison needs (decision, figures, what
 * was evaluated, thresholds, repeats, spread) is kept whole; what it can do without goes first,
 * said in the record (`omitted`) and in `said`: the tail of the failing tools and regressed items
 * (kept most frequent first), then ids too long to be any backend's. A record that still does
 * not fit is not written, said.
 */
export function boundedRecord(
  verdict: Verdict,
  checkName: string,
  headSha: string,
  now = new Date(),
  maxChars = RECORD_MAX_CHARS,
): EncodedRecord {
  const full = recordOf(verdict, checkName, headSha, now);
  const whole = hide(full);
  if (whole.length <= maxChars) return { text: whole };
  const tools = full.failingTools;
  const items = full.regressedItems;
  const cut = (keep: number, ids: BaselineRecord['ids']): BaselineRecord => {
    const omitted: NonNullable<BaselineRecord['omitted']> = {
      ...(tools.length > keep ? { failingTools: tools.length - keep } : {}),
      ...(items && items.length > keep ? { regressedItems: items.length - keep } : {}),
      ...(Object.keys(ids).length < Object.keys(full.ids).length
        ? {
            ids: Object.keys(full.ids)
              .filter((name) => !(name in ids))
              .slice(0, 20),
          }
        : {}),
    };
    return {
      ...full,
      ids,
      failingTools: tools.slice(0, keep),
      ...(items ? { regressedItems: items.slice(0, keep) } : {}),
      omitted,
    };
  };
  const fits = (record: BaselineRecord) => hide(record).length <= maxChars;
  // The most of each list that fits (the lists are at most 100 long, so this is a few encodings).
  const largest = (ids: BaselineRecord['ids']) => {
    let [low, high] = [0, Math.max(tools.length, items?.length ?? 0)];
    if (!fits(cut(0, ids))) return undefined;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(cut(mid, ids))) low = mid;
      else high = mid - 1;
    }
    return cut(low, ids);
  };
  const shortIds = Object.fromEntries(
    Object.entries(full.ids).filter(([, id]) => id.length <= LONG_ID_CHARS),
  );
  const record = largest(full.ids) ?? largest(shortIds);
  if (!record)
    return {
      said: `This check holds no record for later comparisons: even without its lists and long ids it is over ${maxChars.toLocaleString('en-US')} characters, GitHub's limit for a check's text.`,
    };
  const omitted = record.omitted ?? {};
  const parts = [
    omitted.failingTools
      ? `${record.failingTools.length} of its ${tools.length} failing tools`
      : '',
    omitted.regressedItems
      ? `${record.regressedItems?.length ?? 0} of its ${items?.length ?? 0} regressed items`
      : '',
    omitted.ids
      ? `no id ${omitted.ids.map((name) => `\`${name}\``).join(', ')} (over ${LONG_ID_CHARS} characters)`
      : '',
  ].filter(Boolean);
  return {
    text: hide(record),
    omitted,
    said: `The record this check keeps for later comparisons was bounded to fit GitHub's limit on a check's text: it lists ${parts.join(', and ')}; a later gate may read a tool left out as newly failing.`,
  };
}

/** The record of `verdict`, whole (each list at most 100 names of at most 200 characters). */
function recordOf(verdict: Verdict, checkName: string, headSha: string, now: Date): BaselineRecord {
  return {
    v: 1,
    checkName,
    backend: verdict.backend,
    decision: verdict.decision,
    headSha,
    figures: verdict.figures,
    ids: Object.fromEntries(
      Object.entries(verdict.ids).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ),
    failingTools: verdict.topFailingTools.slice(0, 100).map((t) => truncate(t.tool, 200)),
    ...(verdict.errorBars
      ? {
          regressedItems: verdict.errorBars.regressed
            .slice(0, 100)
            .map((r) => truncate(r.item, 200)),
        }
      : {}),
    at: now.toISOString(),
    ...(verdict.evaluated ? { evaluated: verdict.evaluated } : {}),
    thresholds: Object.fromEntries(
      verdict.thresholds.filter((t) => Number.isFinite(t.limit)).map((t) => [t.input, t.limit]),
    ),
    repeats: verdict.repeats?.rows.length ?? 1,
    ...spreadOf(verdict),
  };
}

/** A record hidden in markdown: base64, so no text in it can end the comment. */
function hide(record: BaselineRecord): string {
  return `<!-- ${MARK}:v1:${Buffer.from(JSON.stringify(record)).toString('base64')} -->`;
}

/** Each figure's mean and spread across the repeats that ran, when there were two at least. */
function spreadOf(verdict: Verdict): { spread?: BaselineRecord['spread'] } {
  const rows = verdict.repeats?.rows.filter((row) => row.outcome === 'evaluated') ?? [];
  if (rows.length < 2) return {};
  const spread: NonNullable<BaselineRecord['spread']> = {};
  for (const figure of Object.keys(verdict.figures)) {
    const values = rows.map((row) => row.figures[figure]);
    if (values.some((v) => v === undefined)) continue;
    const { mean, sd } = meanAndSd(values as number[]);
    spread[figure] = { n: values.length, mean, sd };
  }
  return { spread };
}

/** The record in a check run's `output.text`, validated; why not, when it cannot be read. */
export function decodeRecord(text: string | null | undefined): BaselineRecord | string {
  const encoded = RECORD.exec(text ?? '')?.[1];
  if (!encoded) return 'it holds no record';
  try {
    const parsed = BaselineRecord.safeParse(
      JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')),
    );
    return parsed.success
      ? parsed.data
      : `its record does not validate (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
  } catch {
    return 'its record is not JSON';
  }
}

/**
 * The drop thresholds given, as the backend declares them (the input and the figure each
 * bounds), read from the raw inputs through the backend's own schema; a value that does not
 * parse is an input error naming it. Either front door's inputs.
 */
export function dropsOf(backend: Backend, raw: RawInputs): BaselinePolicy['drops'] {
  const problems: string[] = [];
  const drops = backend.drops.flatMap(({ input, figure }) => {
    if (!raw[input]?.trim()) return [];
    const parsed = (backend.inputs.shape[input] as z.ZodType).safeParse(raw[input]);
    if (parsed.success && typeof parsed.data === 'number')
      return [{ input, figure, limit: parsed.data }];
    problems.push(`Input \`${input}\` ${parsed.error?.issues[0]?.message ?? 'is not a number'}`);
    return [];
  });
  if (problems.length > 0) throw new InputError(problems);
  return drops;
}

/** What to compare with, and how much worse the change may be. */
export interface BaselinePolicy {
  /** Drops the user allows, by input: each bounds how far its figure may fall below the baseline's (the backend declares which). */
  drops: { input: string; figure: string; limit: number }[];
  /** What a drop threshold decides when there is no baseline to compare with. */
  onMissing: Decision;
  /** The level of the interval of a difference, when both sides ran repeats (default 0.95), and what an interval across the limit decides. */
  confidence?: number;
  onInconclusive?: Exclude<Decision, 'pass'>;
}

/**
 * Compares the verdict with the base branch's and judges the drop thresholds. A record never
 * changes the current figures; a drop beyond its limit fails the gate; with no baseline, the
 * drop thresholds decide what `onMissing` says.
 */
export function applyBaseline(
  verdict: Verdict,
  found: BaselineRecord | undefined,
  foundMissing: string | undefined,
  policy: BaselinePolicy,
): Verdict {
  // A base verdict of something else (not `comparable`) measured something else: it is no baseline, and said so.
  const differs = found ? notComparable(verdict, found) : undefined;
  const record = differs ? undefined : found;
  const missing = differs ?? foundMissing;
  const deltas: Figures = {};
  if (record) {
    for (const [name, value] of Object.entries(verdict.figures)) {
      const base = record.figures[name];
      if (base !== undefined) deltas[name] = Number((value - base).toFixed(6));
    }
  }
  const newlyFailingTools = record
    ? verdict.topFailingTools
        .map((t) => t.tool)
        .filter((tool) => !record.failingTools.includes(tool))
    : [];
  const comparison: BaselineComparison = {
    ...(record ? { record } : { missing: missing ?? 'no baseline was looked for' }),
    deltas,
    newlyFailingTools,
    ...(differs ? { notComparable: true } : {}),
  };
  if (verdict.outcome !== 'evaluated' || policy.drops.length === 0)
    return { ...verdict, baseline: comparison };

  const drops: ThresholdResult[] = policy.drops.map((drop) => {
    const spec = figureSpec(drop.figure);
    const label = `${spec?.label ?? drop.figure} drop`;
    const current = verdict.figures[drop.figure];
    const base = record?.figures[drop.figure];
    const fall =
      current === undefined || base === undefined ? undefined : Number((base - current).toFixed(6));
    // With no baseline, nothing is compared and `on_missing_baseline` decides; a figure missing from a baseline that exists fails closed.
    const unmeasured = record
      ? undefined
      : {
          why: `no baseline: ${missing ?? 'none found'}`,
          decides: policy.onMissing,
          by: 'on_missing_baseline',
        };
    // Both sides ran repeats: the drop is judged on the interval of the difference, not on two point values.
    const interval = record
      ? dropInterval(record, verdict, drop.figure, policy.confidence ?? 0.95)
      : undefined;
    return checkThreshold(
      {
        input: drop.input,
        figure: `${drop.figure}${DROP_SUFFIX}`,
        comparator: '<=',
        limit: drop.limit,
        breaks: 'fail',
        ...(unmeasured ? { unmeasured } : {}),
        ...(interval ? { interval, onInconclusive: policy.onInconclusive ?? 'fail' } : {}),
      },
      fall === undefined ? {} : { [`${drop.figure}${DROP_SUFFIX}`]: fall },
      spec ? [{ ...spec, name: `${drop.figure}${DROP_SUFFIX}`, label }] : [],
    );
  });
  const broken = drops.filter((t) => !t.holds);
  const uncompared = drops.filter((t) => t.holds && t.unmeasured);
  const decision = broken.reduce<Decision>((acc, t) => worst(acc, t.breaks), verdict.decision);
  const said = [...broken, ...uncompared].map(describeThreshold);
  // Every drop held: the reason says so, so that it counts what the table shows.
  const held = drops.length === 1 ? 'the drop holds' : `all ${drops.length} drops hold`;
  const reason = `${verdict.reason.replace(/\.$/, '')}; against the base branch: ${said.length === 0 ? held : said.join('; ')}.`;
  return {
    ...verdict,
    decision,
    reason: truncate(reason, MAX_REASON_CHARS),
    thresholds: [...verdict.thresholds, ...drops],
    baseline: comparison,
  };
}

/**
 * Why `record` is not comparable with `verdict`, or undefined when it is: another backend, or a
 * different value of something both name as evaluated (a record that names nothing, written
 * before records did, is taken as comparable, as it always was).
 */
export function notComparable(
  verdict: Pick<Verdict, 'backend' | 'evaluated'>,
  record: Pick<BaselineRecord, 'backend' | 'evaluated' | 'headSha'>,
): string | undefined {
  const base = `the base verdict (${record.headSha.slice(0, 12)})`;
  if (record.backend !== verdict.backend)
    return `${base} is of ${record.backend}, not ${verdict.backend}: not comparable`;
  for (const [name, here] of Object.entries(verdict.evaluated ?? {})) {
    const there = record.evaluated?.[name];
    if (there !== undefined && there !== here) {
      const label = COMPARABLE_SPECS.find((spec) => spec.name === name)?.label ?? name;
      return `${base} is of another ${label} (${truncate(there, 40)} there, ${truncate(here, 40)} here): not comparable`;
    }
  }
  return undefined;
}

/** Welch's t interval of base − current for `figure`, when the base record and this verdict both hold two repeats or more. */
function dropInterval(
  record: BaselineRecord,
  verdict: Verdict,
  figure: string,
  confidence: number,
): Interval | undefined {
  const base = record.spread?.[figure];
  const values =
    verdict.repeats?.rows
      .filter((row) => row.outcome === 'evaluated')
      .map((row) => row.figures[figure]) ?? [];
  if (!base || values.length < 2 || values.some((v) => v === undefined)) return undefined;
  const current = meanAndSd(values as number[]);
  const [vb, vc] = [base.sd ** 2 / base.n, current.sd ** 2 / values.length];
  const se = Math.sqrt(vb + vc);
  const estimate = Number((base.mean - current.mean).toFixed(6));
  if (!(se > 0))
    return {
      estimate,
      low: estimate,
      high: estimate,
      confidence,
      n: base.n + values.length,
      method: 'difference of repeats, no spread',
    };
  const df = (vb + vc) ** 2 / (vb ** 2 / (base.n - 1) + vc ** 2 / (values.length - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    estimate,
    low: estimate - half,
    high: estimate + half,
    confidence,
    n: base.n + values.length,
    method: `Welch t interval of the difference (${base.n} base and ${values.length} current repeats)`,
  };
}

/**
 * A baseline handed over as a report file (the command line's `--baseline-report`, e.g. the last
 * main pipeline's artifact): its record, or why there is none. A file that is missing,
 * unreadable, altered, of another backend or check, or of a gate that could not evaluate is "no
 * baseline", said plainly, and `on_missing_baseline` decides.
 */
export async function baselineFromReport(
  path: string,
  verdict: Verdict,
  checkName: string,
): Promise<{ record?: BaselineRecord; missing?: string }> {
  const report = await readReport(path);
  if (typeof report === 'string') return { missing: `the baseline ${report}` };
  // Another backend is said here; something else of the same backend when it is compared.
  if (report.backend !== verdict.backend)
    return {
      missing: `the baseline report ${report.file} is of ${report.backend}, not ${verdict.backend}: not comparable`,
    };
  const record = recordOfReport(report, checkName);
  return typeof record === 'string' ? { missing: `the baseline ${record}` } : { record };
}

/**
 * A report file read back (`--baseline-report`, `--history-dir`) as the record a check would
 * hold, or why it is none: another check, no evaluated verdict, no commit named.
 */
export function recordOfReport(report: ReadReport, checkName: string): BaselineRecord | string {
  const why =
    report.checkName !== checkName
      ? `is for check "${report.checkName}", not "${checkName}"`
      : report.outcome !== 'evaluated'
        ? 'holds no evaluated verdict (the gate that wrote it could not evaluate)'
        : !report.headSha || !/^[0-9a-f]{40}$/i.test(report.headSha)
          ? 'names no commit'
          : undefined;
  if (why || !report.headSha) return `report ${report.file} ${why ?? 'names no commit'}`;
  // Written when the report was (reports of older releases do not say: the epoch, the oldest).
  const record = decodeRecord(
    encodeRecord(report, checkName, report.headSha, new Date(report.writtenAt ?? 0)),
  );
  return typeof record === 'string' ? `report ${report.file}: ${record}` : record;
}

/**
 * Whether a gate without repeats passed on its own: evaluated, its backend said pass and every
 * threshold of its own held. A drop against the base branch is the comparison's, not the run's:
 * a missing baseline's `warn` does not make the one run a failed one.
 */
export function passedOnItsOwn(verdict: Verdict): boolean {
  if (verdict.outcome !== 'evaluated' || (verdict.backendDecision ?? verdict.decision) !== 'pass')
    return false;
  return verdict.thresholds.filter((t) => !t.figure.endsWith(DROP_SUFFIX)).every((t) => t.holds);
}

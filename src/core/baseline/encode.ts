import { BaselineRecord } from './record.js';
import { meanAndSd } from '../support/stats.js';
import { truncate } from '../support/text.js';
import type { Verdict } from '../verdict/verdict.js';
import { RECORD_CASE_CHARS, recordCases, recordRegression } from '../cases/record.js';

/*
 * A verdict's record, as a check run or a report file carries it to the next change: encoded in
 * a hidden comment, bounded to GitHub's limit, decoded and validated back.
 */

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
  return hideRecord(recordOf(verdict, checkName, headSha, now));
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
  const whole = recordOf(verdict, checkName, headSha, now);
  if (hideRecord(whole).length <= maxChars) return { text: hideRecord(whole) };
  // The cases' states go first: a later gate then compares by figures and names alone.
  const full = {
    ...withoutCases(whole),
    ...(whole.gates
      ? {
          gates: Object.fromEntries(
            Object.entries(whole.gates).map(([name, gate]) => [name, withoutCases(gate)]),
          ),
        }
      : {}),
  };
  const uncased =
    whole.cases !== undefined || Object.values(whole.gates ?? {}).some((g) => g.cases)
      ? 'no case states (a later gate cannot tell new failing cases from known ones), and '
      : '';
  if (uncased && hideRecord(full).length <= maxChars)
    return {
      text: hideRecord(full),
      omitted: full.omitted ?? {},
      said: `The record this check keeps for later comparisons was bounded to fit GitHub's limit on a check's text: it keeps ${uncased.replace(/, and $/, '')}.`,
    };
  if (full.gates) return boundedGates(full, maxChars);
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
  const fits = (record: BaselineRecord) => hideRecord(record).length <= maxChars;
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
    uncased.replace(/, and $/, ''),
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
    text: hideRecord(record),
    omitted,
    said: `The record this check keeps for later comparisons was bounded to fit GitHub's limit on a check's text: it lists ${parts.join(', and ')}; a later gate may read a tool left out as newly failing.`,
  };
}

/**
 * A record of many gates bounded to `maxChars`: every entry keeps what comparison needs, and the
 * most of its failing tools and regressed items that fits, the same number for each.
 */
function boundedGates(full: BaselineRecord, maxChars: number): EncodedRecord {
  const gates = full.gates ?? {};
  const cut = (keep: number): BaselineRecord => ({
    ...full,
    gates: Object.fromEntries(
      Object.entries(gates).map(([name, record]) => {
        const items = record.regressedItems;
        const omitted = {
          ...(record.failingTools.length > keep
            ? { failingTools: record.failingTools.length - keep }
            : {}),
          ...(items && items.length > keep ? { regressedItems: items.length - keep } : {}),
        };
        return [
          name,
          {
            ...record,
            failingTools: record.failingTools.slice(0, keep),
            ...(items ? { regressedItems: items.slice(0, keep) } : {}),
            ...(Object.keys(omitted).length > 0 ? { omitted } : {}),
          },
        ];
      }),
    ),
  });
  const fits = (record: BaselineRecord) => hideRecord(record).length <= maxChars;
  if (!fits(cut(0)))
    return {
      said: `This check holds no record for later comparisons: its ${Object.keys(gates).length} gates' records are over ${maxChars.toLocaleString('en-US')} characters even without their lists, GitHub's limit for a check's text.`,
    };
  let [low, high] = [0, 100];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(cut(mid))) low = mid;
    else high = mid - 1;
  }
  return {
    text: hideRecord(cut(low)),
    said: `The record this check keeps for later comparisons was bounded to fit GitHub's limit on a check's text: each gate lists at most ${low} failing tools and regressed items; a later gate may read one left out as newly failing.`,
  };
}

/** The record of `verdict`, whole (each list at most 100 names of at most 200 characters). */
function recordOf(verdict: Verdict, checkName: string, headSha: string, now: Date): BaselineRecord {
  // Many gates: each entry that evaluated has a record of its own, under its name.
  const gates = verdict.gates?.entries.flatMap((entry) =>
    entry.verdict?.outcome === 'evaluated'
      ? [[entry.name, recordOf(entry.verdict, checkName, headSha, now)] as const]
      : [],
  );
  return {
    ...(gates ? { gates: Object.fromEntries(gates) } : {}),
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
    ...casesOf(verdict),
    ...(verdict.cases?.regression
      ? { regression: recordRegression(verdict.cases.regression) }
      : {}),
  };
}

/** The cases' states, and how many the record could not keep. */
function casesOf(verdict: Verdict): Pick<BaselineRecord, 'cases' | 'omitted'> {
  if (!verdict.cases) return {};
  const { cases, omitted } = recordCases(verdict.cases);
  return { cases, ...(omitted > 0 ? { omitted: { cases: omitted } } : {}) };
}

/** A record without its cases' states (they are the largest part, and the first let go), saying how many. */
function withoutCases(record: BaselineRecord): BaselineRecord {
  if (record.cases === undefined) return record;
  const { cases, ...rest } = record;
  const kept = cases.length / RECORD_CASE_CHARS;
  return { ...rest, omitted: { ...rest.omitted, cases: (rest.omitted?.cases ?? 0) + kept } };
}

/** A record hidden in markdown: base64, so no text in it can end the comment. */
export function hideRecord(record: BaselineRecord): string {
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

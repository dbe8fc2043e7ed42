import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedRecord, decodeRecord } from '../../../src/core/baseline/encode.js';
import { Deadline } from '../../../src/core/support/deadline.js';
import { baselineRecordOf, compareWithBaseBranch } from '../../../src/core/baseline/history.js';
import {
  CLOCK_SKEW_MS,
  historyDirProblem,
  historyFromReports,
} from '../../../src/core/baseline/history-files.js';
import { reportJson } from '../../../src/core/report-file/write.js';
import type { Verdict } from '../../../src/core/verdict/verdict.js';
import { scratchDir } from '../../support/scratch.js';

const verdict = (more: Partial<Verdict> = {}): Verdict => ({
  decision: 'pass',
  reason: 'ok',
  outcome: 'evaluated',
  backend: 'Sepurux',
  ids: { run_id: 'r1', campaign_id: 'c1' },
  figures: { pass_rate: 0.9 },
  evaluated: { campaign: 'c1' },
  thresholds: [],
  topFailingTools: [],
  durationMs: 1,
  backendDecision: 'pass',
  ...more,
});
const SHA = 'a'.repeat(40);

describe("boundedRecord: a record always fits GitHub's limit on a check's text", () => {
  it('is the whole record when it fits', () => {
    const encoded = boundedRecord(
      verdict({ topFailingTools: [{ tool: 'orders.lookup', count: 1 }] }),
      'Gate',
      SHA,
    );
    expect(encoded.omitted).toBeUndefined();
    expect(decodeRecord(encoded.text)).toMatchObject({ failingTools: ['orders.lookup'] });
  });

  it('keeps what comparison needs and the most frequent failures, and says how many it left out', () => {
    const tools = Array.from({ length: 100 }, (_, i) => ({
      tool: `${i}`.padEnd(200, 'é'),
      count: 100 - i,
    }));
    const encoded = boundedRecord(
      verdict({ topFailingTools: tools }),
      'Gate',
      SHA,
      new Date(),
      20_000,
    );
    expect(encoded.text!.length).toBeLessThanOrEqual(20_000);
    const record = decodeRecord(encoded.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record).toMatchObject({
      figures: { pass_rate: 0.9 },
      evaluated: { campaign: 'c1' },
      ids: { run_id: 'r1' },
    });
    expect(record.failingTools).toEqual(
      tools.slice(0, record.failingTools.length).map((t) => t.tool),
    );
    expect(record.omitted).toEqual({ failingTools: 100 - record.failingTools.length });
    expect(encoded.said).toContain(
      `it lists ${record.failingTools.length} of its 100 failing tools`,
    );
  });

  it("drops an id too long to be any backend's before giving up, and writes no record that cannot fit", () => {
    const long = verdict({ ids: { run_id: 'r1', campaign_id: 'x'.repeat(30_000) } });
    const encoded = boundedRecord(long, 'Gate', SHA, new Date(), 20_000);
    const record = decodeRecord(encoded.text);
    if (typeof record === 'string') throw new Error(record);
    expect(record.ids).toEqual({ run_id: 'r1' });
    expect(record.omitted).toEqual({ ids: ['campaign_id'] });
    const none = boundedRecord(
      verdict({
        figures: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`figure_${i}`, i])),
      }),
      'Gate',
      SHA,
      new Date(),
      20_000,
    );
    expect(none.text).toBeUndefined();
    expect(none.said).toContain('This check holds no record for later comparisons');
  });
});

describe('the newest comparable record of a commit', () => {
  it('is taken over a newer one of another campaign, for the base and along the history', () => {
    const at = (campaign: string, passRate: number) => {
      const record = decodeRecord(
        boundedRecord(
          verdict({ evaluated: { campaign }, figures: { pass_rate: passRate } }),
          'Gate',
          SHA,
        ).text,
      );
      if (typeof record === 'string') throw new Error(record);
      return record;
    };
    const current = verdict({ figures: { pass_rate: 0.8 } });
    const policy = {
      drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate', limit: 0.05 }],
      onMissing: 'warn' as const,
      from: 'base' as const,
      history: 1,
    };
    const found = { record: at('other', 0.5), older: [at('c1', 0.95)] };
    const compared = compareWithBaseBranch(
      current,
      { base: found, history: { entries: [{ sha: SHA, ...found }], asked: 1 } },
      policy,
    );
    expect(compared.decision).toBe('fail');
    expect(compared.baseline?.record?.figures.pass_rate).toBe(0.95);
    expect(compared.history).toMatchObject({ comparable: 1, notes: [] });
  });
});

describe('historyFromReports and historyDirProblem', () => {
  it("orders by the date each report says, leaves out a future one (beyond the clock's skew), then caps", async () => {
    const dir = scratchDir('history-unit');
    const now = new Date('2026-06-01T12:00:00Z');
    const write = (name: string, sha: string, at: Date) =>
      writeFile(
        join(dir, name),
        reportJson(verdict(), { checkName: 'Gate', repository: 'o/r', headSha: sha }, at),
      );
    await write('z-old.json', '1'.repeat(40), new Date('2026-05-01T00:00:00Z'));
    await write('a-new.json', '2'.repeat(40), new Date('2026-05-31T00:00:00Z'));
    await write('m-skewed.json', '3'.repeat(40), new Date(now.getTime() + CLOCK_SKEW_MS / 2));
    await write('b-future.json', '4'.repeat(40), new Date(now.getTime() + CLOCK_SKEW_MS * 2));
    const { entries, notes } = await historyFromReports(dir, 'Gate', 2, now);
    expect(entries.map((entry) => entry.sha)).toEqual(['3'.repeat(40), '2'.repeat(40)]);
    expect(notes).toEqual([expect.stringContaining('1 report is dated after now')]);
  });

  it('names a folder that is missing, a file, or empty', async () => {
    const dir = scratchDir('history-unit');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'file'), '');
    expect(await historyDirProblem(join(dir, 'empty'))).toBeUndefined();
    expect(await historyDirProblem(join(dir, 'nope'))).toContain('which does not exist');
    expect(await historyDirProblem(join(dir, 'file'))).toContain('which is not a folder');
    expect(await historyDirProblem(' ')).toContain('names no folder');
  });
});

describe('Deadline.before: time reserved at the end of a budget', () => {
  it('ends the reserve before its parent, at most atMostMs from now, and is shortened with it', () => {
    let now = 0;
    const parent = new Deadline(40_000, () => now);
    const lookups = parent.before(5_000, 30_000);
    expect(lookups.remainingMs()).toBe(30_000);
    expect(parent.before(5_000).remainingMs()).toBe(35_000);
    now = 10_000;
    parent.shorten(4_000);
    expect(lookups.remainingMs()).toBe(0);
    expect(parent.remainingMs()).toBe(4_000);
  });
});

describe('an accepted verdict along the base branch', () => {
  /** A failing verdict's record on `sha`, its run `sha`'s first letter; accepted by ann or not. */
  const record = (sha: string, pass_rate: number, accepted: boolean) => {
    const decoded = decodeRecord(
      boundedRecord(
        verdict({ decision: 'fail', figures: { pass_rate }, ids: { run_id: `run-${sha[0]}` } }),
        'Gate',
        sha,
      ).text,
    );
    if (typeof decoded === 'string') throw new Error(decoded);
    return accepted
      ? {
          ...decoded,
          accepted: {
            by: 'ann',
            at: '2026-12-03T10:00:00Z',
            reason: 'known',
            commentId: 1,
            conclusion: 'failure',
            title: 'x',
          },
        }
      : decoded;
  };

  it("is no backend's base run either (baseline_run_id: auto): the run is the comparison's baseline's", () => {
    const here = { backend: 'Sepurux', evaluated: { campaign: 'c1' } };
    const accepted = record(SHA, 0.6, true);
    // The base commit's own verdict was accepted: no run, and why.
    expect(baselineRecordOf(here, { record: accepted }, undefined, 'base')).toEqual({
      accepted: `this gate's fail verdict on the base commit ${SHA.slice(0, 12)} was accepted by ann, and an accepted verdict is no baseline`,
    });
    // An older verdict on the same commit does not stand in for the accepted newer one.
    expect(
      baselineRecordOf(here, { record: accepted, older: [record(SHA, 0.9, false)] }, [], 'base')
        .record,
    ).toBeUndefined();
    // Along the history, the walk back passes it, as the comparison does.
    const older = record('b'.repeat(40), 0.92, false);
    const entries = [
      { sha: SHA, record: accepted },
      { sha: 'c'.repeat(40), record: record('c'.repeat(40), 0.5, true) },
      { sha: older.headSha, record: older },
    ];
    expect(baselineRecordOf(here, { record: accepted }, entries, 'base').record?.ids.run_id).toBe(
      'run-b',
    );
    // The median's run is that of its newest verdict that was not accepted.
    expect(baselineRecordOf(here, undefined, entries, 'median').record?.ids.run_id).toBe('run-b');
    // A verdict of something else is no base run.
    expect(
      baselineRecordOf(
        { backend: 'Sepurux', evaluated: { campaign: 'c2' } },
        { record: older },
        undefined,
        'base',
      ),
    ).toEqual({});
  });

  it('is no baseline: the comparison walks past it, and the history still counts it as the failure it was', () => {
    const base = record(SHA, 0.5, true);
    const older = record('b'.repeat(40), 0.92, false);
    const compared = compareWithBaseBranch(
      verdict({ figures: { pass_rate: 0.9 } }),
      {
        base: { record: base },
        history: {
          entries: [
            { sha: SHA, record: base },
            { sha: older.headSha, record: older },
          ],
          asked: 2,
        },
      },
      {
        drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate', limit: 0.05 }],
        onMissing: 'fail',
        from: 'base',
        history: 2,
      },
    );
    expect(compared.baseline?.record?.headSha).toBe(older.headSha);
    expect(compared.baseline?.walkedBack).toBe(1);
    expect(compared.history).toMatchObject({ read: 2, comparable: 2 });
    expect(compared.history?.trend?.values.map((v) => v.value)).toEqual([0.92, 0.5]);
    // Nor is it a part of a median: two accepted failures at 0.5 do not pull the baseline down to them.
    const median = compareWithBaseBranch(
      verdict({ figures: { pass_rate: 0.5 } }),
      {
        history: {
          entries: [
            { sha: SHA, record: base },
            { sha: 'c'.repeat(40), record: record('c'.repeat(40), 0.5, true) },
            { sha: older.headSha, record: older },
          ],
          asked: 3,
        },
      },
      {
        drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate', limit: 0.05 }],
        onMissing: 'fail',
        from: 'median',
        history: 3,
      },
    );
    expect(median.baseline?.record?.figures.pass_rate).toBe(0.92);
    expect(median.decision).toBe('fail');
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tallyRows } from '../../../../src/core/backends/promptfoo/cases.js';
import { readResultsFile } from '../../../../src/core/backends/promptfoo/results-file.js';
import { PROMPTFOO_FILES, promptfooJson, promptfooWorkspace } from '../../../support/promptfoo.js';

const tally = async (name: keyof typeof PROMPTFOO_FILES) => {
  const read = await readResultsFile('r.json', promptfooWorkspace({ 'r.json': name }));
  if ('unusable' in read) throw new Error(read.unusable);
  return tallyRows(read.rows);
};

describe('tallyRows on what promptfoo wrote', () => {
  it('groups --repeat rows by case, never by testIdx; one description with other vars is another case', async () => {
    const t = await tally('repeats');
    expect(t).toMatchObject({ rows: 15, passed: 11, failed: 4, errored: 0 });
    const byName = Object.fromEntries(
      t.cases.map((c) => [`${c.name}/${c.passed + c.failed}`, [c.passed, c.failed]]),
    );
    expect(byName).toEqual({
      'invoice total/3': [3, 0],
      'proration/3': [2, 1],
      'tax rules/3': [0, 3],
      'currency #1/3': [3, 0],
      'currency #2/3': [3, 0],
    });
    // Two "currency" tests with their own vars: two cases of three rows each.
    expect(t.cases.filter((c) => c.name.startsWith('currency #'))).toHaveLength(2);
    expect(t.cases).toHaveLength(5);
  });

  it('keeps errors apart from failures, with their first line', async () => {
    const t = await tally('errors');
    expect(t).toMatchObject({ rows: 5, passed: 2, failed: 1, errored: 2 });
    expect(t.errors.map((e) => e.message)).toEqual([
      'Error: upstream search index unavailable (503)',
      'Error: connection reset by peer',
    ]);
    const invoice = t.cases.find((c) => c.name === 'finds the invoice');
    expect(invoice).toMatchObject({ passed: 0, failed: 0, errored: 1 });
  });

  it("sums the priced rows' cost; a row without a price is unpriced, never zero", async () => {
    const t = await tally('errors');
    // manual and contract carry 0.001 each; receipt carries none; the two errors none.
    expect(t.cost).toBe(0.002);
    expect(t.unpriced).toBe(3);
    expect((await tally('pass')).cost).toBe(0.0083);
  });

  it("takes an assertion's reason, not a stack, as why a case failed", async () => {
    const t = await tally('regressed');
    const refund = t.cases.find((c) => c.name === 'refund within 30 days');
    expect(refund?.reason).toBe('Expected output to contain "30 days"');
  });

  it('keeps a case through an edit of the prompt or the model: a case is its test and its column', async () => {
    const file = promptfooJson('regressed');
    const before = await tallyOf(file);
    for (const row of file.results.results) {
      row.promptId = 'f'.repeat(64);
      (row.prompt as { label: string }).label = 'Reply to the customer: {{question}}';
      (row.provider as { id: string }).id = 'openai:gpt-5-mini';
    }
    const after = await tallyOf(file);
    expect(after.cases.map((c) => c.id).sort()).toEqual(before.cases.map((c) => c.id).sort());
  });

  it('tells apart two tests of one description and vars by their assertions, and numbers their names', async () => {
    const file = promptfooJson('pass');
    const twin = structuredClone(file.results.results[1]!) as Record<string, unknown>;
    (twin.testCase as { assert: unknown }).assert = [{ type: 'contains', value: 'tomorrow' }];
    (twin as { testIdx: number }).testIdx = 99;
    file.results.results.push(twin);
    (file.results.stats as { successes: number }).successes += 1;
    const t = await tallyOf(file);
    expect(t.cases).toHaveLength(5);
    expect(t.cases.map((c) => c.name).filter((n) => n.startsWith('order status'))).toEqual([
      'order status #1',
      'order status #2',
    ]);
  });
});

async function tallyOf(file: ReturnType<typeof promptfooJson>) {
  const read = await readResultsFile(
    'r.json',
    promptfooWorkspace({ 'r.json': { text: JSON.stringify(file) } }),
  );
  if ('unusable' in read) throw new Error(read.unusable);
  return tallyRows(read.rows);
}

describe('case ids', () => {
  it("stay what main's records hold: a hash of the test, its vars' keys sorted (indices first) and its column", async () => {
    const vars = JSON.parse('{"b":1,"a":[1,{"z":null,"y":"x"}],"10":2,"9":3,"__proto__":"p"}');
    const file = promptfooJson('pass');
    const [row] = file.results.results as { testCase: Record<string, unknown>; vars: unknown }[];
    row!.testCase = { ...row!.testCase, description: 'd', vars };
    row!.vars = vars;
    const read = await readResultsFile(
      'r.json',
      promptfooWorkspace({ 'r.json': { text: JSON.stringify(file) } }),
    );
    if ('unusable' in read) throw new Error(read.unusable);
    // The text the ids were hashed from before the sort was written out by hand.
    const canonical = '{"9":3,"10":2,"__proto__":"p","a":[1,{"y":"x","z":null}],"b":1}';
    const expected = createHash('sha256')
      .update(JSON.stringify(['d', canonical, 0]))
      .digest('hex')
      .slice(0, 16);
    expect(tallyRows(read.rows).cases.map((c) => c.id)).toContain(expected);
  });
});

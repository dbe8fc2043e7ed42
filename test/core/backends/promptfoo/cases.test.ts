import { describe, expect, it } from 'vitest';
import { tallyRows } from '../../../../src/core/backends/promptfoo/cases.js';
import { readResultsFile } from '../../../../src/core/backends/promptfoo/results-file.js';
import { PROMPTFOO_FILES, promptfooWorkspace } from '../../../support/promptfoo.js';

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
      'currency/3': [3, 0],
    });
    // Two "currency" tests with their own vars: two cases of three rows each.
    expect(t.cases.filter((c) => c.name === 'currency')).toHaveLength(2);
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
});

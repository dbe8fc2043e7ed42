import { describe, expect, it } from 'vitest';
import { sequentialTest } from '../../../src/core/repeats/sequential.js';
import { seededRandom } from '../../support/fake-sepurux.js';

/*
 * The values test (`repeats: auto` where a run does not say its trials), simulated at a fixed
 * seed as the gate runs it: a repeat a round, at most five, the pooled value deciding at the
 * budget. Its error rates must stay near the nominal ones where its model holds (runs of 20
 * attempts), and it must decide clear cases fast.
 */
const question = {
  input: 'min_pass_rate',
  comparator: '>=' as const,
  limit: 0.85,
  margin: 0.05,
  alpha: 0.05,
  beta: 0.05,
};

/** `prs` simulated gates at true rate `rate`: the share that fail, and the runs they took. */
function simulate(rate: number, prs: number, seed: number, attempts = 20) {
  const random = seededRandom(seed);
  let failed = 0;
  let runs = 0;
  for (let i = 0; i < prs; i++) {
    const values: number[] = [];
    let call = 'undecided';
    while (values.length < 5 && call === 'undecided') {
      let passes = 0;
      for (let j = 0; j < attempts; j++) if (random() < rate) passes++;
      values.push(passes / attempts);
      call = sequentialTest(question, { values }).call;
    }
    const pooled = values.reduce((sum, v) => sum + v, 0) / values.length;
    if (call === 'breaks' || pooled < question.limit) failed++;
    runs += values.length;
  }
  return { failed: failed / prs, runs: runs / prs };
}

describe('the values test, simulated (seeded)', () => {
  it('fails a good agent (0.90) at most 6% of the time and passes a bad one (0.80) at most 15%', () => {
    expect(simulate(0.9, 4000, 11).failed).toBeLessThanOrEqual(0.06);
    expect(1 - simulate(0.8, 4000, 12).failed).toBeLessThanOrEqual(0.15);
  });

  it('at "good" and "bad" themselves and beyond, the wrong call stays under the nominal 5% where it is decided early', () => {
    // Far from the bound the wrong verdict is rare: 0.95 fails and 0.70 passes under 1%.
    expect(simulate(0.95, 4000, 13).failed).toBeLessThan(0.01);
    expect(1 - simulate(0.7, 4000, 14).failed).toBeLessThan(0.01);
  });

  it('decides clear cases in at most two runs on average: 0.50 and 0.70 fail, 1.00 passes', () => {
    const low = simulate(0.5, 2000, 15);
    const lowish = simulate(0.7, 2000, 16);
    const perfect = simulate(1, 2000, 17);
    expect(low).toMatchObject({ failed: 1 });
    expect(low.runs).toBeLessThanOrEqual(1.2);
    expect(lowish.runs).toBeLessThanOrEqual(2);
    expect(perfect).toEqual({ failed: 0, runs: 2 });
  });

  it('is deterministic: the same values give the same call and log ratio', () => {
    const values = [0.75, 0.8, 0.9];
    expect(sequentialTest(question, { values })).toEqual(sequentialTest(question, { values }));
  });
});

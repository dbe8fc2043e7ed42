import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/core/support/deadline.js';
import { nextPollDelayMs, pollUntilTerminal } from '../../../src/core/support/poll.js';

/** The moments (ms from the first poll) at which the schedule polls, up to `untilMs`. */
function pollTimes(untilMs: number, maxMs: number): number[] {
  const times = [0];
  let delay = 0;
  for (let t = 0; t < untilMs;) {
    delay = nextPollDelayMs(t, delay, maxMs);
    t += delay;
    times.push(t);
  }
  return times;
}

describe('poll schedule', () => {
  it('polls every 0.5 s for the first 3 s, then waits 0.5 s longer each time, up to poll_interval', () => {
    expect(pollTimes(20_000, 5_000)).toEqual([
      0, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5500, 7500, 10000, 13000, 16500, 20500,
    ]);
    const late = pollTimes(60_000, 5_000).filter((t) => t > 30_000);
    expect(late.slice(1).map((t, i) => t - late[i]!)).toEqual(late.slice(1).map(() => 5_000));
  });

  it('never waits longer than poll_interval, even a short one', () => {
    expect(pollTimes(3_000, 200).every((t, i, all) => i === 0 || t - all[i - 1]! <= 200)).toBe(
      true,
    );
  });

  it('sees a run that ends at 2.5 s within 0.5 s, one of 3 to 20 s within 4 s, and a 60 s run within 5 s in at most 23 polls', () => {
    const lag = (endMs: number) => pollTimes(endMs, 5_000).find((t) => t >= endMs)! - endMs;
    expect(lag(2_500)).toBeLessThanOrEqual(500);
    for (let end = 3_000; end <= 20_000; end += 100) expect(lag(end)).toBeLessThanOrEqual(4_000);
    expect(lag(60_000)).toBeLessThanOrEqual(5_000);
    // The seeds' 5 s loop polls 13 times for a 60 s run; the budget is that plus 10.
    expect(pollTimes(60_000, 5_000).length).toBeLessThanOrEqual(23);
  });
});

describe('pollUntilTerminal', () => {
  it('logs only when the status changes and returns the terminal answer', async () => {
    const answers = ['pending', 'pending', 'running', 'done'];
    const lines: string[] = [];
    const waits: number[] = [];
    const result = await pollUntilTerminal({
      what: 'run 1',
      fetch: async () => answers.shift()!,
      state: (status) => ({ terminal: status === 'done', status }),
      deadline: new Deadline(60_000),
      maxIntervalMs: 5_000,
      log: (line) => lines.push(line),
      wait: async (ms) => void waits.push(ms),
    });
    expect(result).toBe('done');
    expect(lines.map((l) => l.split(' after')[0])).toEqual([
      'run 1: pending',
      'run 1: running',
      'run 1: done',
    ]);
    expect(waits).toEqual([500, 500, 500]);
  });

  it('gives up at the deadline with the last status in the reason', async () => {
    let now = 0;
    const deadline = new Deadline(2_000, () => now);
    const error = await pollUntilTerminal({
      what: 'batch b',
      fetch: async () => 'running',
      state: (status) => ({ terminal: false, status }),
      deadline,
      maxIntervalMs: 5_000,
      log: () => undefined,
      wait: async (ms) => void (now += ms),
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'No verdict within the 2s timeout while waiting for batch b (last status: running); raise `timeout` if the evaluation needs longer.',
    );
  });
});

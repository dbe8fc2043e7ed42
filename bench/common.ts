/**
 * What every measure of `npm run bench` shares: the command line's switches, the table's rows
 * and sections, and small helpers. The measures live in bench/<topic>.ts; run.ts lists them.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeSepurux } from '../test/support/fake-sepurux.js';
import { scratchDir } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';

/** `--quick`: the smoke run CI does (tiny sizes). */
export const quick = process.argv.includes('--quick');
/** `--only NAME[,NAME]`: run those measures (e.g. `history`, or `cost,errors`), without writing BENCHMARKS.md. */
export const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]?.split(',')
  : undefined;
export const here = fileURLToPath(new URL('.', import.meta.url));
export const cacheDir = join(here, '..', '.cache', 'bench');

/** A row of the table BENCHMARKS.md opens with. */
export interface Row {
  measure: string;
  value: string;
  target?: string;
  met?: boolean;
}
export const rows: Row[] = [];
export const record = (row: Row) => {
  rows.push(row);
  console.log(
    `${row.measure.padEnd(58)} ${row.value.padEnd(34)} ${row.target ? `${row.met ? 'met' : 'NOT met'} (${row.target})` : ''}`,
  );
};
/** The sections BENCHMARKS.md holds after the table, in the order the measures add them. */
export const sections: string[] = [];
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The RUNNER_TEMP of every process the bench times: a folder of its own, removed at the end. */
export const runnerTemp = scratchDir('bench');

/** A fake Sepurux whose run turns terminal `finishAfterMs` after creation, served on loopback. */
export async function servedFake(finishAfterMs: number) {
  const fake = new FakeSepurux();
  fake.campaign('refund-reliability').finishAfterMs = finishAfterMs;
  const server = await serveHandlers(() => fake.handlers());
  return { fake, server, base: `${server.origin}/api` };
}

/** Runs `work` for 0 … count − 1, `limit` at a time. */
export async function mapConcurrently(
  count: number,
  limit: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

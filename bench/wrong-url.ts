/**
 * The wrong-URL rows of `npm run bench`: how long the bundled command line takes to say that
 * `--base-url` is wrong, for a port where nothing listens (ECONNREFUSED: one retry) and a name
 * that does not resolve (ENOTFOUND: none). The tests count the attempts (test/e2e/wrong-url.test.ts);
 * the time is measured here. `.invalid` names answer "no such host" through a preload
 * (test/support/no-such-host.mjs), as a resolver would, without a DNS server.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FAKE_PROJECT_ID, FAKE_TOKEN } from '../test/support/fake-sepurux.js';
import { runCli } from '../test/support/runner.js';
import type { BenchRow } from './promptfoo.js';

/** What a wrong URL may take to be said: about 2 s (issue 46). */
const TARGET_MS = 2000;
const NO_SUCH_HOST = `--import ${fileURLToPath(new URL('../test/support/no-such-host.mjs', import.meta.url))}`;

/** A loopback URL whose port was just free: nothing listens there. */
async function refusedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return `http://127.0.0.1:${port}`;
}

/** The two rows: the slowest of `runs` command lines for each wrong URL, against {@link TARGET_MS}. */
export async function wrongUrl(quick: boolean, record: (row: BenchRow) => void): Promise<void> {
  const runs = quick ? 1 : 5;
  const cases: { what: string; url: string; env: Record<string, string> }[] = [
    { what: 'a refused connection (ECONNREFUSED)', url: await refusedUrl(), env: {} },
    {
      what: 'a name that does not resolve (ENOTFOUND)',
      url: 'https://sepurux.invalid',
      env: { NODE_OPTIONS: NO_SUCH_HOST },
    },
  ];
  for (const { what, url, env } of cases) {
    const took: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await runCli(['--trace-id', 'trace-1', '--campaign-name', 'refund-reliability'], {
        GATE_TOKEN: FAKE_TOKEN,
        GATE_PROJECT_ID: FAKE_PROJECT_ID,
        GATE_BASE_URL: url,
        ...env,
      });
      if (run.exitCode !== 3 || !run.stdout.includes('--base-url'))
        throw new Error(
          `a wrong --base-url was not said as one: exit ${run.exitCode}, ${run.stdout}`,
        );
      took.push(run.durationMs);
    }
    const slowest = Math.max(...took);
    record({
      measure: `command line: a wrong --base-url, ${what}, said and exit 3`,
      value: `${slowest.toFixed(0)} ms (slowest of ${runs})`,
      target: `≤ ${TARGET_MS / 1000} s`,
      met: slowest <= TARGET_MS,
    });
  }
}

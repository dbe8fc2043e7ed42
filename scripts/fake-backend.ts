/**
 * `npm run fake-backend`: the local Sepurux-compatible backend and a fake GitHub on 127.0.0.1,
 * the same fakes (and the same world: campaigns, the regressing trace) the tests and the demo
 * use, until Ctrl-C. Prints two recipes: the command line's (`GATE_*` variables, `--base-url`, a
 * passing and a failing command, scripts/cli-recipe.ts), and the `.env` to run the action with
 * GitHub's own local runner:
 *
 *   npm run fake-backend            # in one terminal
 *   npx --yes @github/local-action run . src/action/main.ts .env   # in a second one, with the .env it prints
 *
 * `--port N` moves Sepurux to N and GitHub to N + 1 (default 4010, 4011); a taken port is one
 * line saying which, and how to choose another.
 */
import { FakeGitHub } from '../test/support/fake-github.js';
import { FakeSepurux, REGRESSING_TRACE_NAME } from '../test/support/fake-sepurux.js';
import { serveHandlers } from '../test/support/serve.js';
import { commandLineRecipeText } from './cli-recipe.js';
import { localActionEnv } from './local-env.js';

const DEFAULT_PORT = 4010;
const portFlag = process.argv.indexOf('--port');
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : DEFAULT_PORT;
if (!Number.isInteger(port) || port < 1024 || port > 65534) {
  console.error(
    `--port takes a whole number from 1024 to 65534 (Sepurux on it, GitHub on the next one), e.g. npm run fake-backend -- --port 4020.`,
  );
  process.exit(2);
}
const sepurux = new FakeSepurux();
sepurux.campaign('refund-reliability').finishAfterMs = 2_000;
const github = new FakeGitHub();
let backend: Awaited<ReturnType<typeof serveHandlers>>;
let api: Awaited<ReturnType<typeof serveHandlers>>;
try {
  [backend, api] = await Promise.all([
    serveHandlers(() => sepurux.handlers(), undefined, port),
    serveHandlers(() => github.handlers(), undefined, port + 1),
  ]);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${port} or ${port + 1} on 127.0.0.1 is taken (another fake-backend still running?); choose others: npm run fake-backend -- --port ${port + 10}`
      : `The fake backend could not listen on 127.0.0.1:${port}: ${(error as Error).message}`,
  );
  process.exit(1);
}

// The .env that works: the runner's environment for the quick start, with the ports this run listens on.
const env = localActionEnv(backend.origin, api.origin)
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .join('\n');

console.log(`Fake Sepurux on ${backend.origin}, fake GitHub on ${api.origin}. Ctrl-C stops both.

Campaigns: ${sepurux.campaigns.map((c) => c.name).join(', ')}.
refund-reliability passes after 2 s; checkout-regression fails; a trace named "${REGRESSING_TRACE_NAME}"
(examples/traces/checkout_flow.json) fails on any campaign. For --campaign-id (a batch over
the eval-set): ${sepurux.campaign('scenario-pool').id}.

━━ ${commandLineRecipeText(backend.origin)}
━━ GitHub's local runner: in a second terminal, with this as .env (.env.example is the same
for ports 4010 and 4011):

  npx --yes @github/local-action run . src/action/main.ts .env

${env}
`);

// Show what the action did on "GitHub", as it happens.
let shown = 0;
const timer = setInterval(() => {
  for (const request of github.requests.slice(shown))
    console.log(`GitHub: ${request.method} ${request.path}`);
  shown = github.requests.length;
}, 500);

const stop = async () => {
  clearInterval(timer);
  await Promise.all([backend.close(), api.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

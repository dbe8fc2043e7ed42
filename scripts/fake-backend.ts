/**
 * `npm run fake-backend`: the local Sepurux-compatible backend and a fake GitHub on 127.0.0.1,
 * the same fakes the tests use, until Ctrl-C. Prints what to put in a `.env` to run the action
 * against them, e.g. with GitHub's own local runner:
 *
 *   npm run fake-backend            # in one terminal
 *   npx @github/local-action run . src/action/main.ts .env   # in another, with .env from .env.example
 *
 * `--port N` moves Sepurux to N and GitHub to N + 1 (default 4010, 4011).
 */
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { serveHandlers } from '../test/support/serve.js';

const portFlag = process.argv.indexOf('--port');
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 4010;
const sepurux = new FakeSepurux();
sepurux.campaign('refund-reliability').finishAfterMs = 2_000;
const github = new FakeGitHub();
const [backend, api] = await Promise.all([serveHandlers(() => sepurux.handlers(), undefined, port), serveHandlers(() => github.handlers(), undefined, port + 1)]);

console.log(`Fake Sepurux on ${backend.origin}, fake GitHub on ${api.origin}. Ctrl-C stops both.

Campaigns: ${sepurux.campaigns.map((c) => c.name).join(', ')} (refund-reliability passes after 2 s, checkout-regression fails).

# .env for the action (see .env.example)
INPUT_BASE_URL=${backend.origin}
INPUT_TOKEN=${FAKE_TOKEN}
INPUT_PROJECT_ID=${FAKE_PROJECT_ID}
INPUT_TRACE_FILE=examples/traces/refund_flow.json
INPUT_CAMPAIGN_NAME=refund-reliability
INPUT_GITHUB_TOKEN=${FAKE_GITHUB_TOKEN}
GITHUB_API_URL=${api.origin}
GITHUB_REPOSITORY=Codertocat/Hello-World
GITHUB_EVENT_NAME=pull_request
GITHUB_EVENT_PATH=examples/events/pull_request.json
`);

// Show what the action did on "GitHub", as it happens.
let shown = 0;
const timer = setInterval(() => {
  for (const request of github.requests.slice(shown)) console.log(`GitHub: ${request.method} ${request.path}`);
  shown = github.requests.length;
}, 500);

const stop = async () => {
  clearInterval(timer);
  await Promise.all([backend.close(), api.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

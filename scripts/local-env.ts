/**
 * The `.env` that `@github/local-action` runs the action with against `npm run fake-backend`:
 * the step's environment as the Actions runner builds it (test/support/runner.ts: every
 * action.yml default as `INPUT_*`, `${{ github.token }}` as the fake GitHub's token, then the
 * quick start's `with:`), and the runner's own variables for a pull request. `.env.example` is
 * this file's output for the default ports (a test holds it to that).
 */
import { FAKE_GITHUB_TOKEN } from '../test/support/fake-github.js';
import { FAKE_PROJECT_ID, FAKE_TOKEN } from '../test/support/fake-sepurux.js';
import { inputEnvironment } from '../test/support/runner.js';

/** The quick start's `with:` (README), pointed at the fake Sepurux. */
const quickStartWith = (sepuruxOrigin: string) => ({
  base_url: sepuruxOrigin,
  token: FAKE_TOKEN,
  project_id: FAKE_PROJECT_ID,
  trace_file: 'examples/traces/refund_flow.json',
  campaign_name: 'refund-reliability',
  min_pass_rate: '0.85',
});

/** The `.env` lines for fakes on `sepuruxOrigin` and `githubOrigin`. */
export function localActionEnv(sepuruxOrigin: string, githubOrigin: string): string {
  const variables = {
    ...inputEnvironment(quickStartWith(sepuruxOrigin), FAKE_GITHUB_TOKEN),
    GITHUB_API_URL: githubOrigin,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: 'examples/events/pull_request.json',
    GITHUB_RUN_ID: '1',
  };
  return [
    "# For GitHub's local runner, against `npm run fake-backend` (copy to .env):",
    '#   npx --yes @github/local-action run . src/action/main.ts .env',
    "# Made by scripts/local-env.ts: action.yml's defaults, then the quick start's with:, as the runner sets them.",
    ...Object.entries(variables).map(([name, value]) => `${name}=${value}`),
    '',
  ].join('\n');
}

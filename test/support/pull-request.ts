import { FAKE_PROJECT_ID, FAKE_TOKEN } from './fake-sepurux.js';
import { FAKE_GITHUB_TOKEN } from './fake-github.js';
import { type ActionRun, runAction } from './runner.js';
import { webhookExample } from './webhooks.js';

/** A pull request's `opened` event, as GitHub sends it. */
export const pullRequestPayload = () =>
  webhookExample('pull_request', 'opened') as { pull_request: { number: number } };

/**
 * The bundled action on a pull request, as the runner runs it, against a fake Sepurux at
 * `sepurux` and a fake GitHub at `github`: one trace on `refund-reliability` with
 * `min_pass_rate: 0.85`, then `inputs` on top.
 */
export function gateOnPullRequest(
  origins: { sepurux: string; github: string },
  inputs: Record<string, string>,
  pr = pullRequestPayload(),
): Promise<ActionRun> {
  return runAction({
    inputs: {
      base_url: origins.sepurux,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      github_token: FAKE_GITHUB_TOKEN,
      trace_id: 'trace-1',
      campaign_name: 'refund-reliability',
      min_pass_rate: '0.85',
      ...inputs,
    },
    eventName: 'pull_request',
    payload: pr,
    env: { GITHUB_API_URL: origins.github },
  });
}

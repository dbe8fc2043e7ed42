/**
 * `npm run demo`: a local Sepurux-compatible backend and a fake GitHub on 127.0.0.1, and the
 * bundled action run against them exactly as the Actions runner would, on the sample traces in
 * examples/traces/: for a pass, a fail and a batch, what a reviewer sees (the check run and the
 * sticky PR comment, rendered for a terminal) and the step's outputs. No account, no network.
 * `npm run demo -- --logs` also prints the action's own log. Nothing is left behind.
 */
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { renderForTerminal } from '../test/support/render.js';
import { runAction } from '../test/support/runner.js';
import { removeScratchDirs } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';

const showLogs = process.argv.includes('--logs');
const color = process.stdout.isTTY === true;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const indent = (text: string, by = '   ') => text.split('\n').map((line) => (line ? by + line : by.trimEnd())).join('\n');

const sepurux = new FakeSepurux();
sepurux.campaign('refund-reliability').finishAfterMs = 2_500;
sepurux.campaign('checkout-regression').finishAfterMs = 1_000;
let github = new FakeGitHub();
const [backend, api] = await Promise.all([serveHandlers(() => sepurux.handlers()), serveHandlers(() => github.handlers())]);
const common = { base_url: `${backend.origin}/api/backend`, token: FAKE_TOKEN, project_id: FAKE_PROJECT_ID, github_token: FAKE_GITHUB_TOKEN };

const scenarios: { title: string; inputs: Record<string, string> }[] = [
  { title: 'A trace that passes', inputs: { trace_file: 'examples/traces/refund_flow.json', campaign_name: 'refund-reliability', min_pass_rate: '0.85' } },
  { title: 'A trace that fails', inputs: { trace_file: 'examples/traces/checkout_flow.json', campaign_name: 'checkout-regression', min_pass_rate: '0.85' } },
  { title: "A batch over the campaign's eval-set", inputs: { campaign_name: 'scenario-pool', min_pass_rate: '0.85' } },
];

console.log(`Fake Sepurux on ${backend.origin}, fake GitHub on ${api.origin}; running dist/index.js as the Actions runner does.\n`);
try {
  for (const { title, inputs } of scenarios) {
    github = new FakeGitHub();
    console.log(bold(`━━ ${title}`));
    console.log(indent(Object.entries(inputs).map(([k, v]) => `${k}: ${v}`).join('\n')));
    const payload = webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
    const run = await runAction({ inputs: { ...common, ...inputs }, eventName: 'pull_request', payload, env: { GITHUB_API_URL: api.origin } });
    try {
      console.log(`\n   decision: ${bold(run.outputs.decision ?? '?')} · step exit code ${run.exitCode} · ${(run.durationMs / 1000).toFixed(2)}s from start to exit`);
      if (showLogs) console.log(`\n${bold('   The action\'s log')}\n${indent(run.stdout.trimEnd(), '   │ ')}`);
      const check = github.checkRuns[0];
      if (check) {
        console.log(`\n${bold(`   ${check.conclusion === 'success' ? '✔' : '✖'} Check run "${check.name}": ${check.conclusion}`)} (the one to mark required)`);
        console.log(indent(`${check.output?.title ?? ''}\n\n${renderForTerminal(check.output?.summary ?? '', color)}`, '   │ '));
      }
      const comment = github.comments.get(payload.pull_request.number)?.[0];
      if (comment) {
        console.log(`\n${bold(`   💬 Sticky comment on pull request #${payload.pull_request.number}`)} (by ${comment.user.login})`);
        console.log(indent(renderForTerminal(comment.body, color), '   │ '));
      }
      console.log(`\n${bold('   Outputs')}`);
      console.log(indent(Object.entries(run.outputs).filter(([, v]) => v).map(([k, v]) => `${k} = ${v}`).join('\n'), '     '));
      console.log('');
    } finally {
      removeScratchDirs();
    }
  }
} finally {
  await Promise.all([backend.close(), api.close()]);
}

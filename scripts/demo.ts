/**
 * `npm run demo`: a local Sepurux-compatible backend on 127.0.0.1 and the bundled action run
 * against it exactly as the Actions runner would, on the sample traces in examples/traces/.
 * No account, no network.
 */
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { runAction } from '../test/support/runner.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';

const fake = new FakeSepurux();
fake.campaign('refund-reliability').finishAfterMs = 2_500;
fake.campaign('checkout-regression').finishAfterMs = 1_000;
const server = await serveHandlers(() => fake.handlers());
const common = { base_url: `${server.origin}/api/backend`, token: FAKE_TOKEN, project_id: FAKE_PROJECT_ID, comment: 'false' };

const scenarios: { title: string; inputs: Record<string, string> }[] = [
  { title: 'A trace that passes', inputs: { trace_file: 'examples/traces/refund_flow.json', campaign_name: 'refund-reliability', min_pass_rate: '0.85' } },
  { title: 'A trace that fails', inputs: { trace_file: 'examples/traces/checkout_flow.json', campaign_name: 'checkout-regression', min_pass_rate: '0.85' } },
  { title: "A batch over the campaign's eval-set", inputs: { campaign_name: 'scenario-pool', min_pass_rate: '0.85' } },
];

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
console.log(`Fake Sepurux listening on ${server.origin}; running dist/index.js with ${process.execPath}\n`);
try {
  for (const { title, inputs } of scenarios) {
    console.log(bold(`━━ ${title}`));
    console.log(Object.entries(inputs).map(([k, v]) => `   ${k}: ${v}`).join('\n'));
    const run = await runAction({ inputs: { ...common, ...inputs }, eventName: 'pull_request', payload: webhookExample('pull_request', 'opened') });
    console.log(`\n   decision: ${bold(run.outputs.decision ?? '?')} · step exit code ${run.exitCode} · verdict in ${(run.durationMs / 1000).toFixed(2)}s (start to exit)`);
    console.log('\n   outputs:');
    for (const [name, value] of Object.entries(run.outputs)) if (value) console.log(`     ${name} = ${value}`);
    console.log('\n   job summary:');
    console.log(run.summary.trim().split('\n').map((line) => `     ${line}`).join('\n'));
    console.log('');
  }
} finally {
  await server.close();
}

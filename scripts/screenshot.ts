/**
 * `npm run screenshot`: the pictures in the README, made from the real rendering. Runs the
 * bundled action against the fakes on a failing verdict (with Sepurux's events), renders the
 * sticky comment and the check run as GitHub renders markdown (GFM), and captures them with
 * headless Chromium (Debian's `chromium` and `fonts-noto-color-emoji`: `apt-get install chromium fonts-noto-color-emoji`) into docs/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { render } from '../test/support/render.js';
import { runAction } from '../test/support/runner.js';
import { removeScratchDirs } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) =>
  existsSync(path),
);
if (!CHROMIUM) {
  console.error(
    'No Chromium: install it with `apt-get install chromium` (Debian), then run this again.',
  );
  process.exit(1);
}

const CSS = `
body { margin: 0; background: #fff; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
main { margin: 16px; border: 1px solid #d0d7de; border-radius: 6px; padding: 0 16px 16px; }
.meta { margin: 0 -16px 16px; padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d0d7de; border-radius: 6px 6px 0 0; }
.bot { border: 1px solid #d0d7de; border-radius: 2em; padding: 0 6px; font-size: 12px; color: #59636e; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d8dee4; padding-bottom: .3em; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { background: rgba(175,184,193,.2); padding: .2em .4em; border-radius: 6px; font-size: 85%; }
a { color: #0969da; text-decoration: none; }
sub { color: #59636e; }
`;

const sepurux = new FakeSepurux({
  events: (_run, source) => ({
    body:
      source === 'policy'
        ? [
            {
              type: 'policy_violation',
              action: 'blocked',
              policy: 'refund-limit',
              tool: 'payments.refund',
              attempt: 2,
              reason: 'Refund of 4,200 USD exceeds the 500 USD limit',
            },
            {
              type: 'policy_violation',
              action: 'blocked',
              policy: 'refund-limit',
              tool: 'payments.refund',
              attempt: 3,
              reason: 'Refund of 9,000 USD exceeds the 500 USD limit',
            },
          ]
        : {
            events: [
              {
                kind: 'prompt_injection',
                decision: 'flagged',
                tool: 'web.fetch',
                severity: 'high',
                message: 'Page text asked the agent to ignore its instructions',
              },
            ],
          },
  }),
});
const github = new FakeGitHub();
const [backend, api] = await Promise.all([
  serveHandlers(() => sepurux.handlers()),
  serveHandlers(() => github.handlers()),
]);
const payload = webhookExample('pull_request', 'opened') as { pull_request: { number: number } };
try {
  await runAction({
    inputs: {
      base_url: backend.origin,
      token: FAKE_TOKEN,
      project_id: FAKE_PROJECT_ID,
      trace_file: 'examples/traces/checkout_flow.json',
      campaign_name: 'checkout-regression',
      min_pass_rate: '0.85',
    },
    eventName: 'pull_request',
    payload,
    github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
  });
  const comment = github.comments.get(payload.pull_request.number)?.[0]?.body;
  const check = github.checkRuns[0];
  if (!comment || !check?.output?.summary) throw new Error('the action wrote no comment or check');
  await capture(
    'pr-comment.png',
    `<div class="meta"><b>github-actions</b> <span class="bot">bot</span> commented</div>${render(comment).html}`,
  );
  await capture(
    'check-run.png',
    `<div class="meta">✖ <b>${check.name}</b> — ${check.conclusion}: ${render(check.output.title ?? '').text}</div>${render(check.output.summary).html}`,
  );
} finally {
  await Promise.all([backend.close(), api.close()]);
  removeScratchDirs();
}

/** Captures `body` in a GitHub-like page as docs/`name`. */
async function capture(name: string, body: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gate-shot-'));
  try {
    const page = join(dir, 'page.html');
    await writeFile(
      page,
      `<!doctype html><meta charset="utf-8"><style>${CSS}</style><main>${body}</main>`,
    );
    const out = resolve('docs', name);
    execFileSync(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--window-size=900,960',
        `--screenshot=${out}`,
        `file://${page}`,
      ],
      { stdio: 'ignore' },
    );
    console.log(`Wrote docs/${name}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run screenshot`: the pictures in the README, made from the real rendering. Runs the
 * demo's pull requests (scripts/demo-world.ts: the bundled action as the runner starts it,
 * against the fakes, with a base branch of ten judged commits), renders each sticky comment and
 * the failing check run as GitHub renders markdown (GFM), draws the trend's Mermaid chart as
 * GitHub's page does, and captures them with headless Chromium (Debian's `chromium` and
 * `fonts-noto-color-emoji`) into docs/.
 */
import { resolve } from 'node:path';
import { CHROMIUM, CHROMIUM_INSTALL, inChromium, mermaidScript } from '../test/support/chromium.js';
import { render } from '../test/support/render.js';
import { openDemoWorld } from './demo-world.js';

if (!CHROMIUM) {
  console.error(`No Chromium: install it with \`${CHROMIUM_INSTALL}\`, then run this again.`);
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
.mermaid-chart { margin: 8px 0 16px; max-width: 640px; }
`;

const world = await openDemoWorld();
try {
  await world.pushMain();
  let checkCaptured = false;
  for (const scenario of world.scenarios) {
    const { check, comment } = await world.runPullRequest(scenario);
    if (!scenario.picture) continue;
    if (!comment || !check?.output?.summary)
      throw new Error(`${scenario.title}: the action wrote no comment or check`);
    await capture(
      scenario.picture,
      `<div class="meta"><b>github-actions</b> <span class="bot">bot</span> commented</div>${render(comment.body).html}`,
    );
    // The first failing pull request's check too (the regression's): what branch protection links to.
    if (check.conclusion === 'failure' && !checkCaptured)
      await capture(
        'check-run.png',
        `<div class="meta">✖ <b>${check.name}</b> — ${check.conclusion}: ${render(check.output.title ?? '').text}</div>${render(check.output.summary).html}`,
      );
    if (check.conclusion === 'failure') checkCaptured = true;
    if (!scenario.acceptWith) continue;
    // Then a maintainer accepts it: the new check, and the top of the sticky comment.
    const accepted = await world.accept(scenario.acceptWith);
    if (
      accepted.run.outputs.decision !== 'pass' ||
      !accepted.check?.output?.summary ||
      !accepted.comment
    )
      throw new Error(`/gate accept: ${accepted.run.outputs.reason}`);
    await capture(
      'check-accepted.png',
      `<div class="meta">✔ <b>${accepted.check.name}</b> — ${accepted.check.conclusion}: ${render(accepted.check.output?.title ?? '').text}</div>${render(accepted.check.output.summary).html}`,
      700,
    );
  }
} finally {
  await world.close();
}

/** Captures `body` in a GitHub-like page as docs/`name`, its Mermaid blocks drawn. */
async function capture(name: string, body: string, height = 1400): Promise<void> {
  await inChromium(
    `<!doctype html><meta charset="utf-8"><style>${CSS}</style><body><main>${body}</main>${mermaidScript()}</body>`,
    { screenshot: resolve('docs', name), width: 900, height },
  );
  console.log(`Wrote docs/${name}`);
}

/**
 * Headless Chromium (Debian's `chromium`), driven from its command line: no browser driver. A
 * page loaded from a file runs its scripts for a bounded virtual time, then Chromium prints its
 * DOM (`--dump-dom`) or captures it (`--screenshot`). What `npm run screenshot` and the tests
 * that render Mermaid share.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_INSTALL, findChromium } from './tools.js';

/** Chromium on PATH (`chromium`, or `chromium-browser`); undefined when it is not installed. */
export const CHROMIUM: string | undefined = findChromium();

export { CHROMIUM_INSTALL };

/**
 * Whether the tests that need Chromium run: where it is on PATH. The test run says once that it
 * is missing, and fails when CI's `CHROMIUM_REQUIRED=1` says it must be there
 * (test/setup/test-tools.ts).
 */
export function chromiumPresent(): boolean {
  return CHROMIUM !== undefined;
}

/** Said in a skipped test's name when Chromium is absent. */
export const CHROMIUM_SKIPPED = CHROMIUM
  ? ''
  : ` (skipped: Chromium is not installed; ${CHROMIUM_INSTALL})`;

/** Mermaid's browser bundle, as GitHub's and GitLab's pages load it. */
export const MERMAID_BUNDLE = resolve('node_modules/mermaid/dist/mermaid.min.js');

const run = promisify(execFile);

/**
 * Loads `html` as a page from a scratch folder (local scripts by `file://` only; no network) in
 * headless Chromium, lets its scripts run for `budgetMs` of virtual time, and returns what
 * `output` asks for: the DOM as text, or nothing once the screenshot is written to `path`.
 */
export async function inChromium(
  html: string,
  output: { dom: true } | { screenshot: string; width: number; height: number },
  budgetMs = 20_000,
): Promise<string> {
  if (!CHROMIUM) throw new Error(`Chromium is not installed: ${CHROMIUM_INSTALL}`);
  const dir = await mkdtemp(join(tmpdir(), 'gate-chromium-'));
  try {
    const page = join(dir, 'page.html');
    await writeFile(page, html);
    const { stdout } = await run(
      CHROMIUM,
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
        '--allow-file-access-from-files',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--virtual-time-budget=${budgetMs}`,
        ...('dom' in output
          ? ['--dump-dom']
          : [
              `--window-size=${output.width},${output.height}`,
              `--screenshot=${output.screenshot}`,
            ]),
        `file://${page}`,
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A script for a page that turns each rendered ```mermaid block (`<pre><code
 * class="language-mermaid">`, as GFM renders the fence) into its chart, as GitHub's page does,
 * and marks the body `data-mermaid="done"` (or the error) when all are drawn.
 */
export function mermaidScript(): string {
  return `<script src="file://${MERMAID_BUNDLE}"></script>
<script>
(async () => {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' });
  const blocks = [...document.querySelectorAll('pre > code.language-mermaid')];
  const errors = [];
  for (const [i, code] of blocks.entries()) {
    try {
      const { svg } = await mermaid.render('mermaid-' + i, code.textContent);
      const figure = document.createElement('div');
      figure.className = 'mermaid-chart';
      figure.innerHTML = svg;
      code.parentElement.replaceWith(figure);
    } catch (error) {
      errors.push(String((error && error.message) || error));
    }
  }
  document.body.dataset.mermaid = errors.length ? 'error' : 'done';
  document.body.dataset.mermaidErrors = JSON.stringify(errors);
})();
</script>`;
}

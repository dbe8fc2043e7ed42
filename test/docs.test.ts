import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { githubSlug, headingAnchors, pageLinks } from './support/markdown-links.js';

/**
 * The README is one screenful and the guide is behind it: the README stays within 300 lines,
 * every docs/ page is one click from it, and no relative link or `#anchor` in the README, the
 * docs or CONTRIBUTING.md leads nowhere.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOC_PAGES = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const PAGES = ['README.md', 'CONTRIBUTING.md', ...DOC_PAGES];

/** What is wrong with the relative links of `file` (its text `markdown`): one line each. */
function brokenLinks(file: string, markdown: string, readPage = read): string[] {
  const problems: string[] = [];
  for (const link of pageLinks(markdown)) {
    if (/^[a-z][a-z+.-]*:/i.test(link) || link.startsWith('//')) continue; // another origin
    const [path = '', anchor] = link.split('#', 2) as [string, string | undefined];
    const target = path === '' ? file : normalize(join(dirname(file), path.split('?')[0]!));
    if (relative(ROOT, join(ROOT, target)).startsWith('..')) {
      problems.push(`${file}: ${link} leaves the repository`);
      continue;
    }
    if (!existsSync(join(ROOT, target))) {
      problems.push(`${file}: ${link}: no file ${target}`);
      continue;
    }
    if (
      anchor === undefined ||
      !target.endsWith('.md') ||
      statSync(join(ROOT, target)).isDirectory()
    )
      continue;
    const text = target === file ? markdown : readPage(target);
    if (!headingAnchors(text).has(anchor))
      problems.push(`${file}: ${link}: no heading of ${target} has the anchor #${anchor}`);
  }
  return problems;
}

describe('the README and the guide behind it', () => {
  it('keeps the README within 300 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  it.each(PAGES)('%s: every relative link finds its file, every #anchor its heading', (file) => {
    expect(brokenLinks(file, read(file))).toEqual([]);
  });

  it('reaches every docs/ page from the README in one click', () => {
    const linked = new Set(
      pageLinks(read('README.md')).map((link) => normalize(link.split('#')[0]!)),
    );
    expect(DOC_PAGES.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('the link check (it can fail)', () => {
  it("makes GitHub's anchors", () => {
    expect(githubSlug('Repeats: evidence on demand')).toBe('repeats-evidence-on-demand');
    expect(githubSlug('Accepting a failing verdict, on the record')).toBe(
      'accepting-a-failing-verdict-on-the-record',
    );
    expect(githubSlug("Case by case against main's history")).toBe(
      'case-by-case-against-mains-history',
    );
    expect(githubSlug('Exit codes (command line)')).toBe('exit-codes-command-line');
    expect(githubSlug('/gate accept and snake_case — à la carte')).toBe(
      'gate-accept-and-snake_case--à-la-carte',
    );
    // A repeated heading is numbered, and inline code counts as its text.
    expect([...headingAnchors('# A\n\n## `mode`\n\n## A\n')]).toEqual(['a', 'mode', 'a-1']);
  });

  it('finds a missing file, a missing heading, and no link inside code', () => {
    const page = [
      '# Title',
      '',
      '[ok](#title) [gone](#no-such-heading) [file](docs/nowhere.md) [up](../../etc/passwd)',
      '[there](CONTRIBUTING.md#adding-a-backend) [not there](CONTRIBUTING.md#no-such-section)',
      '',
      '`[code](docs/not-a-link.md)`',
      '',
      '<img src="docs/missing.png" alt="">',
    ].join('\n');
    expect(brokenLinks('README.md', page)).toEqual([
      'README.md: #no-such-heading: no heading of README.md has the anchor #no-such-heading',
      'README.md: docs/nowhere.md: no file docs/nowhere.md',
      'README.md: ../../etc/passwd leaves the repository',
      'README.md: CONTRIBUTING.md#no-such-section: no heading of CONTRIBUTING.md has the anchor #no-such-section',
      'README.md: docs/missing.png: no file docs/missing.png',
    ]);
  });
});

import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/**
 * The links of a markdown page and the anchors its headings make, read as GitHub reads them:
 * rendered as GFM (links in code are no links), each heading's anchor by GitHub's slug rule.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const decode = (html: string) =>
  html.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });

const render = (markdown: string) =>
  micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

/**
 * GitHub's anchor for a heading's text, as github-slugger (what github.com uses) makes it: lower
 * case; every character that is not a letter, a mark, a number, a connector (`_`), a hyphen or
 * a space removed; each space a hyphen. github-slugger is not among this repository's packages,
 * so its rule is written here with Unicode property classes, the classes its own table lists.
 */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings, a repeated one numbered as GitHub numbers it (`-1`, `-2`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of render(markdown).matchAll(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/g)) {
    const slug = githubSlug(decode(match[1]!.replace(/<[^>]*>/g, '')).trim());
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every `href` and `src` of a page, decoded, in order. */
export function pageLinks(markdown: string): string[] {
  return [...render(markdown).matchAll(/\s(?:href|src)="([^"]*)"/g)].map((match) =>
    decodeURI(decode(match[1]!)),
  );
}

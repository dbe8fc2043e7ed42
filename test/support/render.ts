import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/** What a reader sees of a markdown body once GitHub has rendered it (GFM, HTML allowed as GitHub allows it). */
export interface Rendered {
  html: string;
  /** The visible text, tags removed and entities decoded: where GitHub looks for @mentions. */
  text: string;
  /** Every `href` and `src` the body links to. */
  links: string[];
  /** The HTML elements the body produced, by name. */
  elements: Set<string>;
  /** Each table row's cells, as text. */
  rows: string[][];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, ''));

/** Renders `markdown` as GitHub does (CommonMark + GFM: tables, autolinks, strikethrough) and reads it back as a reader would. */
export function render(markdown: string): Rendered {
  const html = micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => [...row!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(([, cell]) => textOf(cell!).trim()));
  return {
    html,
    text: textOf(html),
    links: [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map(([, url]) => decode(url!)),
    elements: new Set([...html.matchAll(/<([a-z][a-z0-9]*)\b/g)].map(([, name]) => name!)),
    rows,
  };
}

/** The @mentions GitHub would find in the rendered text. */
export function mentions(rendered: Rendered): string[] {
  return [...rendered.text.matchAll(/(?:^|[^\w`])@([a-z0-9][a-z0-9-]*(?:\/[a-z0-9_.-]+)?)/gi)].map(([, name]) => name!);
}

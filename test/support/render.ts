import { wrap } from '../../src/cli/help.js';
import { sparkline } from '../../src/core/render/trend.js';
import { execFileSync } from 'node:child_process';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { onPath } from './tools.js';

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
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, ''));

/** The two renderers the tests read markdown with: micromark (GFM), and GitHub's own cmark-gfm where it is installed. */
export type Engine = 'micromark' | 'cmark-gfm';

/**
 * The engines to render with: micromark always; cmark-gfm (Debian's `cmark-gfm`, the renderer
 * GitHub runs before it sanitises) where it is on PATH. Nothing is printed here: the test run
 * says once that it is missing (test/setup/test-tools.ts, which also fails the run when CI's
 * `CMARK_GFM_REQUIRED=1` says it must be there), and the demo, which renders with micromark,
 * says nothing about test tools.
 */
export const ENGINES: Engine[] = onPath('cmark-gfm') ? ['micromark', 'cmark-gfm'] : ['micromark'];

/** GitHub's extensions, as github.com enables them. */
const CMARK_EXTENSIONS = ['table', 'strikethrough', 'autolink', 'tagfilter', 'tasklist'].flatMap(
  (name) => ['-e', name],
);

function toHtml(markdown: string, engine: Engine): string {
  if (engine === 'micromark')
    return micromark(markdown, {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
  return execFileSync('cmark-gfm', ['--unsafe', ...CMARK_EXTENSIONS], {
    input: markdown,
    maxBuffer: 64 * 1024 * 1024,
  }).toString('utf8');
}

/** Renders `markdown` as GitHub does (CommonMark + GFM: tables, autolinks, strikethrough) and reads it back as a reader would. */
export function render(markdown: string, engine: Engine = 'micromark'): Rendered {
  const html = toHtml(markdown, engine);
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(([, cell]) => textOf(cell!).trim()),
  );
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
  return [...rendered.text.matchAll(/(?:^|[^\w`])@([a-z0-9][a-z0-9-]*(?:\/[a-z0-9_.-]+)?)/gi)].map(
    ([, name]) => name!,
  );
}

const ESC = { bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

/**
 * A markdown body as a terminal shows it, rendered the way GitHub renders it (GFM) and then laid
 * out as text: headings bold, tables in aligned columns, links as `text <url>`, small print dim.
 * `color: false` leaves out the escape codes.
 */
export function renderForTerminal(markdown: string, color = true, width = 94): string {
  const style = (code: keyof typeof ESC, text: string) =>
    color ? `${ESC[code]}${text}${ESC.reset}` : text;
  const html = render(markdown).html.replace(/<!--[\s\S]*?-->/g, '');
  // A terminal links nothing: the joiners that keep GitHub from linking ids would only break a copied id.
  const inline = (fragment: string) =>
    decode(
      fragment
        .replaceAll('\u200d', '')
        .replace(
          /<a href="([^"]*)">([\s\S]*?)<\/a>/g,
          (_, url: string, text: string) => `${text} (${url})`,
        )
        .replace(/<br\s*\/?>/g, ' / ')
        .replace(/<(strong|b)>([\s\S]*?)<\/\1>/g, (_, _tag, text: string) => style('bold', text))
        .replace(/<sub>([\s\S]*?)<\/sub>/g, (_, text: string) => style('dim', text))
        .replace(/<[^>]+>/g, ''),
    );
  const blocks: string[] = [];
  for (const [, tag, body] of html.matchAll(
    /<(h\d|p|pre|table|ul|ol)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g,
  )) {
    if (tag!.startsWith('h')) blocks.push(style('bold', inline(body!)));
    else if (tag === 'pre') blocks.push(codeBlock(decode(body!.replace(/<[^>]+>/g, '')), body!));
    else if (tag === 'table')
      blocks.push(
        table(
          body!,
          (fragment) => inline(fragment.replace(/<a href="[^"]*">([\s\S]*?)<\/a>/g, '$1')),
          width,
        ),
      );
    else if (tag === 'ul' || tag === 'ol')
      blocks.push(
        [...body!.matchAll(/<li>([\s\S]*?)<\/li>/g)]
          .map(([, item]) => `  • ${wrap(inline(item!), '    ', width - 2).trimStart()}`)
          .join('\n'),
      );
    else blocks.push(wrap(inline(body!), '', width));
  }
  return blocks.join('\n\n');
}

/**
 * A code block as a terminal shows it: a Mermaid chart (which only GitHub and GitLab draw) as
 * a sparkline of its first line series, other code indented as it is.
 */
function codeBlock(code: string, html: string): string {
  if (!html.includes('language-mermaid'))
    return code
      .trimEnd()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
  const series = /\bline \[([^\]]*)\]/.exec(code)?.[1]?.split(',').map(Number) ?? [];
  return `  ${sparkline(series)}  (a Mermaid chart here: GitHub and GitLab draw it)`;
}

/** A table in aligned columns within `maxWidth`: links as their text, the widest columns cut with `…` until it fits. */
function table(body: string, inline: (fragment: string) => string, maxWidth: number): string {
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(([, cell]) => inline(cell!).trim()),
  );
  // Emoji take two columns in a terminal, variation selectors none.
  const width = (text: string) =>
    // eslint-disable-next-line no-control-regex
    [...text.replace(/\x1b\[\d+m/g, '').replace(/\uFE0F/g, '')].reduce(
      (sum, c) => sum + (/\p{Extended_Pictographic}/u.test(c) ? 2 : 1),
      0,
    );
  let widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => width(row[column] ?? '')))) ?? [];
  const total = () =>
    2 + widths.reduce((sum, w) => sum + w, 0) + 2 * Math.max(0, widths.length - 1);
  while (total() > maxWidth && Math.max(...widths) > 8) {
    const widest = widths.indexOf(Math.max(...widths));
    widths = widths.map((w, column) => (column === widest ? w - 1 : w));
  }
  for (const row of rows) {
    row.forEach((cell, column) => {
      const limit = widths[column] ?? 0;
      if (width(cell) > limit)
        // eslint-disable-next-line no-control-regex
        row[column] = `${[...cell.replace(/\x1b\[\d+m/g, '')].slice(0, limit - 1).join('')}…`;
    });
  }
  const line = (row: string[]) =>
    `  ${row.map((cell, column) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - width(cell)))).join('  ')}`.trimEnd();
  const [head, ...rest] = rows;
  return [
    line(head ?? []),
    `  ${widths.map((w) => '─'.repeat(w)).join('  ')}`,
    ...rest.map(line),
  ].join('\n');
}

/**
 * Mermaid's own parser, and the ```mermaid blocks a markdown body holds once rendered as GitHub
 * renders it: what the tests of the trend chart read a report with.
 */
import { JSDOM } from 'jsdom';
import { type Engine, render } from './render.js';

type Mermaid = (typeof import('mermaid'))['default'];
let loaded: Promise<Mermaid> | undefined;

/**
 * Mermaid, loaded once in a jsdom window: it sanitises labels with DOMPurify, which needs a DOM
 * when the module loads (without one, every parse fails on `DOMPurify.addHook`).
 */
function mermaid(): Promise<Mermaid> {
  loaded ??= (async () => {
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window, document: window.document });
    return (await import('mermaid')).default;
  })();
  return loaded;
}

/** What Mermaid's parser makes of `source`: the diagram type, or the parse error it throws. */
export async function parseMermaid(source: string): Promise<string> {
  const result = await (await mermaid()).parse(source);
  return result ? result.diagramType : 'unknown';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The text of every ```mermaid block of `markdown`, as the engine renders the fence (`<pre><code class="language-mermaid">`). */
export function mermaidBlocks(markdown: string, engine: Engine = 'micromark'): string[] {
  const { html } = render(markdown, engine);
  return [...html.matchAll(/<pre[^>]*><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g)]
    .map(([, code]) =>
      code!.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name]!),
    )
    .map((code) => code.replace(/\n$/, ''));
}

import { describe, expect, it } from 'vitest';
import { renderVerdict } from '../../../src/core/render/markdown.js';
import {
  chartText,
  MIN_CHART_POINTS,
  mermaidChart,
  sparkline,
  trendLogLine,
  trendOf,
} from '../../../src/core/render/trend.js';
import type { Verdict } from '../../../src/core/verdict/verdict.js';
import {
  chromiumPresent,
  CHROMIUM_SKIPPED,
  inChromium,
  mermaidScript,
} from '../../support/chromium.js';
import { mermaidBlocks, parseMermaid } from '../../support/mermaid.js';
import { ENGINES, render } from '../../support/render.js';
import { sampleVerdict } from '../../support/verdict.js';

const THRESHOLD = {
  input: 'min_pass_rate',
  figure: 'pass_rate',
  label: 'Pass rate',
  comparator: '>=' as const,
  limit: 0.85,
  breaks: 'fail' as const,
  actual: 0.72,
  holds: false,
};

/** A verdict of 0.72 beside `values` along the base branch (oldest first), with `min_pass_rate: 0.85` unless told otherwise. */
function withTrend(values: number[], over: Partial<Verdict> = {}, shas?: string[]): Verdict {
  return sampleVerdict({
    figures: { pass_rate: 0.72 },
    thresholds: [THRESHOLD],
    history: {
      asked: 10,
      read: values.length,
      comparable: values.length,
      trend: {
        figure: 'pass_rate',
        values: values.map((value, i) => ({
          sha: shas?.[i] ?? `${'abcdef0123456789'.slice(i % 8, (i % 8) + 7)}${i}`.padEnd(40, '0'),
          value,
          at: `2026-11-${String(10 + i).padStart(2, '0')}T00:00:00Z`,
        })),
      },
      tools: [],
      items: [],
      notes: [],
    },
    ...over,
  });
}

const options = { title: 'Gate', mode: 'hard' as const, maxTools: 10, maxChars: 65_000 };
const comment = (verdict: Verdict) => renderVerdict(verdict, { ...options, trend: 'mermaid' });

/** Commit ids and labels a hostile record or backend could carry, each trying to leave the string, the chart or the fence. */
const HOSTILE = [
  'abc"]\n  line [1, 2, 3]\n',
  '```\n<img src=x onerror=alert(1)>',
  '%%{init: {"securityLevel": "loose"}}%%',
  "a'b`c;d#35;e<script>",
  'x-axis ["a"] --> 100\r\ntitle "pwned"',
  '\u2028\u2029\u0000\u001b[31m',
];

describe('the trend chart', () => {
  it(`draws no chart under ${MIN_CHART_POINTS} points: one base verdict and this change is a line of text`, () => {
    const body = comment(withTrend([0.9]));
    expect(mermaidBlocks(body)).toEqual([]);
    expect(body).toContain(
      '**Base branch** (pass rate, its one comparable verdict): 0.9; this change',
    );
    expect(mermaidChart(trendOf(withTrend([0.9, 0.92]))!)).toBeDefined();
    expect(mermaidChart(trendOf(withTrend([0.9]))!)).toBeUndefined();
  });

  it('draws no chart when this change has no value of the figure', () => {
    expect(comment(withTrend([0.9, 0.92, 0.91], { figures: {} }))).not.toContain('```mermaid');
  });

  it('draws the base branch oldest first, this change last, and the threshold as a flat line, in a block Mermaid parses', async () => {
    const body = comment(withTrend([0.9, 0.92, 0.91, 0.95]));
    const [chart, ...others] = mermaidBlocks(body);
    expect(others).toEqual([]);
    expect(chart).toBeDefined();
    expect(await parseMermaid(chart!)).toBe('xychart');
    const lines = chart!.split('\n').map((line) => line.trim());
    // Front matter (the chart's colours), then the chart.
    expect(lines[0]).toBe('---');
    expect(lines[lines.indexOf('---', 1) + 1]).toBe('xychart-beta');
    const xAxis = lines.find((line) => line.startsWith('x-axis'))!;
    expect(JSON.parse(xAxis.slice('x-axis '.length)).at(-1)).toBe('this change');
    const series = lines.filter((line) => line.startsWith('line '));
    expect(series.map((line) => JSON.parse(line.slice(5)))).toEqual([
      [0.9, 0.92, 0.91, 0.95, 0.72],
      [0.85, 0.85, 0.85, 0.85, 0.85],
    ]);
    // The y axis holds every value and the threshold.
    const [, low, high] = /y-axis "Pass rate" ([\d.]+) --> ([\d.]+)/.exec(chart!)!;
    expect(Number(low)).toBeLessThan(0.72);
    expect(Number(high)).toBeGreaterThanOrEqual(0.95);
    expect(Number(high)).toBeLessThanOrEqual(1);
    expect(render(body).text).toContain(
      'The last point is this change; the flat line is the threshold, ≥ 0.85.',
    );
  });

  it('draws one line when no threshold bounds the figure', async () => {
    const [chart] = mermaidBlocks(comment(withTrend([0.9, 0.92, 0.91], { thresholds: [] })));
    expect(chart!.match(/^ {2}line /gm)).toHaveLength(1);
    expect(await parseMermaid(chart!)).toBe('xychart');
  });

  it.each(ENGINES)(
    'keeps hostile commit ids inside the chart as plain short ids: one block, nothing outside it, and Mermaid parses it (%s)',
    async (engine) => {
      const body = comment(withTrend([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], {}, HOSTILE));
      const blocks = mermaidBlocks(body, engine);
      expect(blocks).toHaveLength(1);
      const chart = blocks[0]!;
      expect(await parseMermaid(chart)).toBe('xychart');
      const labels = JSON.parse(/x-axis (\[.*\])/.exec(chart)![1]!) as string[];
      for (const label of labels.slice(0, -1)) expect(label).toMatch(/^[0-9A-Za-z?]{1,7}$/);
      expect(chart).not.toMatch(/%%|`|<|#|;/);
      // The front matter (ten lines, ours alone: size and colours), then six statements and
      // nothing more: a type, a title, two axes, the figure and the threshold.
      const lines = chart.split('\n');
      expect(
        lines
          .slice(0, 10)
          .join('\n')
          .replace(/width: \d+/, 'width: N'),
      ).toBe(
        '---\nconfig:\n  xyChart:\n    width: N\n    xAxis:\n      labelFontSize: 12\n  themeVariables:\n    xyChart:\n      plotColorPalette: "royalblue, darkgray"\n---',
      );
      expect(lines.slice(10)).toHaveLength(6);
      expect(lines[10]).toBe('xychart-beta');
      // Nothing of a hostile id reaches the rendered page outside the block.
      const { html, elements } = render(body, engine);
      expect(html).not.toContain('onerror');
      expect(html).not.toContain('pwned');
      expect(elements.has('img')).toBe(false);
      expect(elements.has('script')).toBe(false);
    },
  );

  it('keeps only plain words of a label: no quote, backtick, directive, entity or line break', () => {
    for (const hostile of HOSTILE) expect(chartText(hostile)).toMatch(/^[A-Za-z0-9 .,()/≥≤-]*$/);
    expect(chartText('Pass rate')).toBe('Pass rate');
  });

  it('a cut body closes a chart it cut through, so the note after it stays text', () => {
    const body = comment(withTrend([0.9, 0.92, 0.91]));
    const at = body.indexOf('line [');
    const cut = renderVerdict(withTrend([0.9, 0.92, 0.91]), {
      ...options,
      trend: 'mermaid',
      maxChars: at + 80,
    });
    expect(cut.match(/^```/gm)?.length ?? 0).toSatisfy((n: number) => n % 2 === 0);
    expect(render(cut).text).toContain('cut to fit the size limit');
  });
});

describe('the trend as a sparkline, where Mermaid does not render', () => {
  it('gives each value a glyph on one scale, lowest ▁ highest █', () => {
    expect(sparkline([0, 0.5, 1])).toBe('▁▅█');
    expect(sparkline([0.9, 0.9])).toBe('▄▄');
  });

  it("draws the base branch's glyphs, then this change's on the same scale, and no chart", () => {
    const body = renderVerdict(withTrend([0.9, 0.92, 0.91]), { ...options, trend: 'sparkline' });
    expect(body).not.toContain('```');
    expect(render(body).text).toContain(
      'Base branch (pass rate, its last 3 comparable verdicts, oldest first): ▇██ 0.9 → 0.91; this change: ▁ 0.72.',
    );
  });

  it('is the default: a body that does not say where it goes gets no chart', () => {
    expect(renderVerdict(withTrend([0.9, 0.92, 0.91]), options)).not.toContain('```mermaid');
  });

  it('is one plain line for a log, with the threshold', () => {
    expect(trendLogLine(withTrend([0.9, 0.92, 0.91]))).toBe(
      'Base branch pass rate, last 3 comparable verdicts, oldest first: ▇██ 0.9 → 0.91; this change: ▁ 0.72 (threshold ≥ 0.85).',
    );
    expect(trendLogLine(sampleVerdict())).toBeUndefined();
  });
});

describe.skipIf(!chromiumPresent())(`the chart in headless Chromium${CHROMIUM_SKIPPED}`, () => {
  it('renders as an SVG chart with two lines and this change as the last label, as GitHub draws the block', async () => {
    const body = comment(withTrend([0.9, 0.92, 0.91, 0.95], {}, HOSTILE));
    const dom = await inChromium(
      `<!doctype html><meta charset="utf-8"><body>${render(body).html}${mermaidScript()}</body>`,
      { dom: true },
    );
    expect(dom).toMatch(/data-mermaid="done"/);
    const svg = /<div class="mermaid-chart">([\s\S]*?<\/svg>)/.exec(dom)?.[1] ?? '';
    expect(svg).toContain('<svg');
    expect(svg).toContain('this change');
    expect(svg).toContain('Pass rate');
    // Two plotted lines: the figure and the threshold.
    expect(svg.match(/class="[^"]*line-plot-\d/g)).toHaveLength(2);
  }, 60_000);

  // The x-axis's labels, measured where Chromium drew them: each one ends before the next begins.
  it.each([10, 20])(
    'draws %i commit ids and "this change" on the x-axis without running them together',
    async (count) => {
      const shas = Array.from({ length: count }, (_, i) =>
        `f95f8${String(i).padStart(2, '0')}`.padEnd(40, '0'),
      );
      const body = comment(
        withTrend(
          shas.map((_, i) => 0.9 + (i % 3) / 100),
          {},
          shas,
        ),
      );
      const measure = `<script>(function wait() {
        if (!document.body.dataset.mermaid) return setTimeout(wait, 50);
        const boxes = [...document.querySelectorAll('.mermaid-chart .bottom-axis .label text')]
          .map((t) => t.getBoundingClientRect()).map((b) => [b.left, b.right]);
        document.body.dataset.labels = JSON.stringify(boxes);
      })();</script>`;
      const dom = await inChromium(
        `<!doctype html><meta charset="utf-8"><body>${render(body).html}${mermaidScript()}${measure}</body>`,
        { dom: true },
      );
      const boxes = JSON.parse(
        (/data-labels="([^"]*)"/.exec(dom)?.[1] ?? '[]').replace(/&quot;/g, '"'),
      ) as [number, number][];
      expect(boxes).toHaveLength(count + 1);
      for (let i = 1; i < boxes.length; i++) {
        const [left, right] = boxes[i - 1]!;
        const gap = boxes[i]![0] - right;
        // A gap of at least a fifth of a label's width: a reader sees two labels, not one word.
        expect(gap, `between label ${i} and ${i + 1}`).toBeGreaterThan((right - left) / 5);
      }
    },
    60_000,
  );
});

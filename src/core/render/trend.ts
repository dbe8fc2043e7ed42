import { type FigureSpec, formatFigure, formatLimit } from '../verdict/figures.js';
import type { ThresholdResult, Verdict } from '../verdict/verdict.js';
import { figureSpec } from '../backends/vocabulary.js';
import { escapeText } from './escape.js';

/**
 * How a report draws the base branch's trend: a Mermaid `xychart-beta` where the page renders
 * Mermaid (GitHub's comments and job summaries, GitLab's notes), a Unicode sparkline where it
 * does not (a check run's summary, a terminal, a file read as plain text).
 */
export type TrendStyle = 'mermaid' | 'sparkline';

/** The styles, as the command line's `--markdown-chart` names them. */
export const TREND_STYLES = ['mermaid', 'sparkline'] as const satisfies readonly TrendStyle[];

/** Fewer points than this draw no chart: two points are a line, not a trend. */
export const MIN_CHART_POINTS = 3;

/** The label of the last point. */
const THIS_CHANGE = 'this change';

/** Eight heights of a text sparkline, lowest first. */
const SPARKS = '▁▂▃▄▅▆▇█';

/** The trend of a verdict's headline figure: the base branch's values (oldest first), this change's, and the figure's threshold. */
export interface Trend {
  figure: string;
  spec?: FigureSpec;
  base: { sha: string; value: number }[];
  /** This change's value, when the backend returned the figure. */
  here?: number;
  /** The absolute threshold on the figure (a least or most value), when one was set. */
  threshold?: ThresholdResult;
}

/** The trend a verdict's history holds, or undefined with no comparable verdict on the base branch. */
export function trendOf(verdict: Verdict): Trend | undefined {
  const trend = verdict.history?.trend;
  if (!trend || trend.values.length === 0) return undefined;
  const threshold = verdict.thresholds.find((t) => t.figure === trend.figure);
  const here = verdict.figures[trend.figure];
  return {
    figure: trend.figure,
    spec: figureSpec(trend.figure),
    base: trend.values.map(({ sha, value }) => ({ sha, value })),
    ...(here === undefined ? {} : { here }),
    ...(threshold ? { threshold } : {}),
  };
}

/** Every value of the trend, oldest first, this change last. */
const pointsOf = (trend: Trend) => [
  ...trend.base.map((point) => point.value),
  ...(trend.here === undefined ? [] : [trend.here]),
];

/** One glyph per value, on one scale from the lowest to the highest of `values`. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  const [low, high] = [Math.min(...finite), Math.max(...finite)];
  return values
    .map((v) =>
      !Number.isFinite(v)
        ? ' '
        : SPARKS[high === low ? 3 : Math.round(((v - low) / (high - low)) * (SPARKS.length - 1))],
    )
    .join('');
}

/** The base branch's glyphs, a space, then this change's: one scale, so the last glyph compares with the others. */
function sparks(trend: Trend): { base: string; here: string } {
  const line = sparkline(pointsOf(trend));
  return { base: line.slice(0, trend.base.length), here: line.slice(trend.base.length) };
}

/**
 * Text that stays text inside a quoted Mermaid string and inside the fence: letters, digits,
 * spaces and a little punctuation, nothing else (no quote, backtick, `%%` directive, `#` entity,
 * `;` statement break, bracket, markup or line break), cut to `max` characters.
 */
export function chartText(value: string, max = 60): string {
  return value
    .replace(/[^A-Za-z0-9 .,()/≥≤-]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}

/** A number as Mermaid's grammar reads one: plain decimals, never an exponent; undefined for what it cannot say. */
function chartNumber(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15) return undefined;
  const fixed = value.toFixed(4).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/** The y axis: the values and the threshold with some room, within the figure's domain. */
function axisRange(values: readonly number[], spec: FigureSpec | undefined): [number, number] {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const room = Math.max((high - low) * 0.2, Math.abs(high) * 0.05, 0.01);
  const step = 10 ** Math.floor(Math.log10(room));
  let bottom = Math.floor((low - room) / step) * step;
  let top = Math.ceil((high + room) / step) * step;
  if (spec?.domain.min !== undefined) bottom = Math.max(bottom, spec.domain.min);
  if (spec?.domain.max !== undefined) top = Math.min(top, spec.domain.max);
  return [Number(bottom.toFixed(6)), Number(top.toFixed(6))];
}

/** The width, in Mermaid's units, that each x-axis label gets: room for a 7-letter commit id at 12 px and a gap. */
const WIDTH_PER_LABEL = 80;

/**
 * The chart's own size and colours, as Mermaid's front matter (no `%%` directive: nothing from a
 * backend is in it). At Mermaid's default 700 px and 14 px labels, eleven 7-letter commit ids
 * touch and run together; 12 px labels and {@link WIDTH_PER_LABEL} each leave a gap between them
 * whatever `history` asks for (the page scales the chart to fit; a test measures the gap).
 */
const chartConfig = (labels: number) => [
  '---',
  'config:',
  '  xyChart:',
  `    width: ${Math.max(700, labels * WIDTH_PER_LABEL)}`,
  '    xAxis:',
  '      labelFontSize: 12',
  '  themeVariables:',
  '    xyChart:',
  '      plotColorPalette: "royalblue, darkgray"',
  '---',
];

/**
 * The trend as a fenced Mermaid `xychart-beta`: the figure over the base branch's last
 * comparable verdicts (each named by its short commit id), then this change, the last point;
 * the threshold as a flat second line. Undefined under {@link MIN_CHART_POINTS} points or when
 * this change has no value. Nothing from outside reaches the block unfiltered: commit ids keep
 * only their first 7 letters and digits, every label goes through {@link chartText}.
 */
export function mermaidChart(trend: Trend): string[] | undefined {
  if (trend.here === undefined) return undefined;
  const values = pointsOf(trend);
  if (values.length < MIN_CHART_POINTS) return undefined;
  const limit = trend.threshold?.limit;
  const numbers = [...values, ...(limit === undefined ? [] : [limit])].map(chartNumber);
  if (numbers.some((n) => n === undefined)) return undefined;
  const label = chartText(trend.spec?.label ?? trend.figure, 40) || 'Figure';
  const labels = [
    ...trend.base.map((point) => point.sha.replace(/[^0-9A-Za-z]/g, '').slice(0, 7) || '?'),
    THIS_CHANGE,
  ];
  const [bottom, top] = axisRange([...values, ...(limit === undefined ? [] : [limit])], trend.spec);
  const line = (points: readonly (string | undefined)[]) => `[${points.join(', ')}]`;
  return [
    '```mermaid',
    // Mermaid's default palette draws the first line near-white: this change's figure in blue, the threshold in grey.
    ...chartConfig(labels.length),
    'xychart-beta',
    `  title "${chartText(`${label}, base branch then this change`, 80)}"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "${label}" ${chartNumber(bottom)} --> ${chartNumber(top)}`,
    `  line ${line(numbers.slice(0, values.length))}`,
    ...(limit === undefined ? [] : [`  line ${line(values.map(() => chartNumber(limit)))}`]),
    '```',
  ];
}

/** How many verdicts the trend is of: one is its only one, never "its last 1, oldest first". */
function verdictsWords(count: number): string {
  return count === 1
    ? 'its one comparable verdict'
    : `its last ${count} comparable verdicts, oldest first`;
}

/** The base branch's values: the oldest and newest (`0.9 → 0.92`), or the only one. */
function baseValues({ spec, base }: Trend): string {
  const first = formatFigure(spec, base[0]?.value);
  return base.length === 1 ? first : `${first} → ${formatFigure(spec, base.at(-1)?.value)}`;
}

/** The threshold as words, e.g. `≥ 0.85 (<input>)`. */
function thresholdWords(trend: Trend): string | undefined {
  const t = trend.threshold;
  return t && `${t.comparator === '>=' ? '≥' : '≤'} ${formatLimit(trend.spec, t.limit)}`;
}

/**
 * The base branch's trend in a report, and what the history left out: one line of values (with a
 * sparkline, in the `sparkline` style), and, in the `mermaid` style, the chart below it.
 */
export function historyMarkdown(verdict: Verdict, style: TrendStyle): string[] {
  const history = verdict.history;
  if (!history) return [];
  const lines: string[] = [];
  const trend = trendOf(verdict);
  if (trend) {
    const { spec, base, here } = trend;
    const spark = style === 'sparkline' ? sparks(trend) : undefined;
    const threshold = thresholdWords(trend);
    lines.push(
      `**Base branch** (${escapeText((spec?.label ?? trend.figure).toLowerCase(), 40)}, ${verdictsWords(base.length)}): ${spark ? `${spark.base} ` : ''}${baseValues(trend)}${here === undefined ? '' : `; this change: ${spark?.here ? `${spark.here} ` : ''}${formatFigure(spec, here)}`}.`,
      '',
    );
    const chart = style === 'mermaid' ? mermaidChart(trend) : undefined;
    if (chart)
      lines.push(
        ...chart,
        '',
        `*The last point is this change${threshold ? `; the flat line is the threshold, ${threshold}` : ''}.*`,
        '',
      );
    if (history.notes.length > 0)
      lines.push(`*History: ${escapeText(history.notes.join('; '), 400)}.*`, '');
  } else if (!verdict.baseline || verdict.baseline.record) {
    // Without a baseline the missing trend is said in the same sentence (baselineNotes): once.
    lines.push(`**Base branch**: ${untrended(history)}.`, '');
  }
  return lines;
}

/**
 * Why there is no trend, as a clause: `no comparable verdict in its last 10 commits (10 of them
 * have no verdict of this gate)`.
 */
export function untrended(history: NonNullable<Verdict['history']>): string {
  const notes = history.notes.length ? ` (${escapeText(history.notes.join('; '), 400)})` : '';
  return `no comparable verdict in its last ${history.asked} commits${notes}`;
}

/**
 * The trend as one plain line for a log or a terminal, e.g. `Base branch pass rate, last 4
 * verdicts: ▆▇█▇ 0.9 → 0.92; this change: ▁ 0.72 (threshold ≥ 0.85).`; undefined with no trend.
 */
export function trendLogLine(verdict: Verdict): string | undefined {
  const trend = trendOf(verdict);
  if (!trend) return undefined;
  const { spec, base, here } = trend;
  const spark = sparks(trend);
  const threshold = thresholdWords(trend);
  return `Base branch ${(spec?.label ?? trend.figure).toLowerCase()}, ${verdictsWords(base.length).replace(/^its /, '')}: ${spark.base} ${baseValues(trend)}${here === undefined ? '' : `; this change: ${spark.here} ${formatFigure(spec, here)}`}${threshold ? ` (threshold ${threshold})` : ''}.`;
}

import type { Verdict } from '../verdict/verdict.js';
import { formatAgainst, formatFigure, formatLimit, formatNumber } from '../verdict/figures.js';
import { figureSpec, ID_SPECS } from '../backends/vocabulary.js';
import { codeSpan, escapeText, quotedText, safeUrl } from './escape.js';
import { listedProblems } from '../support/errors.js';
import type { Mode } from '../inputs/common.js';
import type { InputWord } from '../inputs/declare.js';
import { historyMarkdown, trendOf, type TrendStyle, untrended } from './trend.js';
import { alongCell, ICON, toolNames } from './cells.js';
import { attemptSection } from './attempts.js';
import { errorBarSection, repeatSection, shardTable, whySection } from './sections.js';
import { gatesBody } from './gates.js';
import { caseSection } from '../cases/render.js';

/** Where a body goes decides its budget. */
export interface RenderOptions {
  title: string;
  mode: Mode;
  /** Most failing tools listed; the rest are counted. */
  maxTools: number;
  /** Hard limit on the body's length in characters. */
  maxChars: number;
  /** Appended verbatim (e.g. the sticky comment's hidden marker). */
  footer?: string;
  /** The commit judged and the CI run that judged it, named in the last line (a comment outlives its run). */
  commitSha?: string;
  runUrl?: string;
  /** What `runUrl` links to, as the CI calls it (default `workflow run`; GitLab: `pipeline job`). */
  runLabel?: string;
  /** Where the full verdict is when the body is cut (default: the action's `report_file` output). */
  fullVerdictAt?: string;
  /** How the base branch's trend is drawn: a Mermaid chart where the page renders Mermaid, else (the default) a sparkline. */
  trend?: TrendStyle;
  /** How inputs are named, in the door's words (default: the action's input names; the command line: its flags). */
  inputWord?: InputWord;
  /** A section of a larger body (one of many gates): a smaller heading, and no last line or footer. */
  nested?: boolean;
}

/** What a section of the body needs beside the verdict: the door's words and the room it has. */
interface SectionContext {
  word: InputWord;
  /** Most rows a list shows (failing tools, cases, events); the rest are counted. */
  maxRows: number;
  trend: TrendStyle | undefined;
}

/**
 * The sections of a verdict's body, in the order a reviewer reads them: each renders its
 * feature's part of the verdict (an empty list where the verdict has none).
 */
const SECTIONS: readonly ((verdict: Verdict, context: SectionContext) => string[])[] = [
  (verdict, { word }) => attemptSection(verdict, word),
  (verdict) => shardTable(verdict),
  (verdict, { word }) => figureTable(verdict, word),
  (verdict, { word }) => repeatSection(verdict, word),
  (verdict, { maxRows }) => caseSection(verdict.cases, maxRows),
  (verdict, { maxRows, trend }) => toolList(verdict, maxRows, trend ?? 'sparkline'),
  (verdict) => errorBarSection(verdict),
  (verdict, { maxRows }) => whySection(verdict, maxRows),
];

/** List items of a reason shown at most (input problems, one a line; the reason counts the rest). */
const REASON_ITEMS = 30;

/**
 * The reason as markdown, as a reader of the `reason` output reads it: what it quotes in
 * backticks (an input's name) as code, the rest as text; a paragraph, or, for a reason that
 * lists (`Inputs are invalid:` and a line per problem, the gate's own sentences), a list, one
 * problem an item.
 */
function reasonLines(reason: string): string[] {
  const listed = listedProblems(reason);
  if (!listed) return [quotedText(reason, 1000)];
  return [
    escapeText(listed.heading, 300),
    '',
    ...listed.items.slice(0, REASON_ITEMS).map((item) => `- ${quotedText(item, 500)}`),
  ];
}

/** The verdict as markdown: decision, reason, figures against thresholds, top failing tools, link. */
export function renderVerdict(verdict: Verdict, options: RenderOptions): string {
  const lines: string[] = [
    `${options.nested ? '###' : '##'} ${ICON[verdict.decision]} ${escapeText(options.title, 100)}: ${verdict.decision}`,
    '',
  ];
  lines.push(...reasonLines(verdict.reason), '');
  if (options.mode !== 'hard' && verdict.decision !== 'pass' && !options.nested) {
    lines.push(
      `*Mode \`${options.mode}\`: ${options.mode === 'observe' ? 'reported only, not blocking' : 'not blocking; a human should look'}.*`,
      '',
    );
  }
  const word = options.inputWord ?? ((input: string) => input);
  const fullVerdictAt = options.fullVerdictAt ?? 'the `report_file` output';
  if (verdict.gates)
    lines.push(
      ...gatesBody(verdict.gates, {
        maxChars: options.maxChars - 600 - (options.footer?.length ?? 0),
        fullVerdictAt,
        section: (entry, title, maxChars) =>
          // An entry names its inputs as the config file spells them, whichever door reads it.
          renderVerdict(entry, {
            ...options,
            title,
            maxChars,
            nested: true,
            footer: undefined,
            inputWord: (input) => input,
          }),
      }),
    );
  const context: SectionContext = { word, maxRows: options.maxTools, trend: options.trend };
  for (const section of SECTIONS) lines.push(...section(verdict, context));
  const dashboard = safeUrl(verdict.dashboardUrl);
  // The link text names the host, so a reader sees where a backend's link leads before following it.
  if (dashboard)
    lines.push(
      `[Open in the ${escapeText(verdict.backend, 40)} dashboard (${escapeText(new URL(dashboard).host, 100)})](${dashboard})`,
      '',
    );
  // A section names its backend and ids; the commit and the run are the body's, said once at its end.
  const detail = options.nested ? { ...options, commitSha: undefined, runUrl: undefined } : options;
  lines.push(`<sub>${detailLine(verdict, detail)}</sub>`);
  const footer = options.footer && !options.nested ? `\n${options.footer}` : '';
  return fit(lines.join('\n'), options.maxChars - footer.length, fullVerdictAt) + footer;
}

function figureTable(verdict: Verdict, word: InputWord): string[] {
  const base = verdict.baseline?.record;
  // With a baseline, each figure stands beside the base commit's and the difference.
  const compare = (figure: string, value: number | undefined) => {
    if (!base) return '';
    const spec = figureSpec(figure);
    const delta = verdict.baseline?.deltas[figure];
    return ` ${formatFigure(spec, base.figures[figure])} | ${delta === undefined || value === undefined ? '—' : `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${formatFigure(spec, Math.abs(delta))}`} |`;
  };
  const checked = new Set(verdict.thresholds.map((t) => t.figure));
  const rows = verdict.thresholds.map(
    (t) =>
      `| ${t.holds ? '✅' : ICON[t.breaks]} | ${escapeText(t.label, 60)} | ${formatAgainst(t, t.actual, t.limit)} |${compare(t.figure, t.actual)} ${t.comparator === '>=' ? '≥' : '≤'} ${formatLimit(t, t.limit)} (\`${word(t.input)}\`) |`,
  );
  for (const [figure, value] of Object.entries(verdict.figures)) {
    const spec = figureSpec(figure);
    if (!checked.has(figure))
      rows.push(
        `| | ${escapeText(spec?.label ?? figure, 60)} | ${formatFigure(spec, value)} |${compare(figure, value)} |`,
      );
  }
  if (rows.length === 0) return [];
  const medianOf = verdict.baseline?.medianOf;
  const baseColumn = medianOf
    ? `Base median of ${medianOf}`
    : base
      ? `Base ${codeSpan(base.headSha.slice(0, 7))} (${base.decision})`
      : '';
  const head = base
    ? `| | Figure | Value | ${baseColumn} | Δ | Threshold |`
    : '| | Figure | Value | Threshold |';
  return [
    head,
    base ? '| --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...baselineNotes(verdict),
  ];
}

/** What the comparison with the base branch adds: why there is none, or what newly fails. */
function baselineNotes(verdict: Verdict): string[] {
  const comparison = verdict.baseline;
  if (!comparison) return [];
  if (!comparison.record) {
    // With a history and no trend in it, the base branch has nothing either: said in this sentence.
    const branch =
      verdict.history && !trendOf(verdict)
        ? `; the base branch: ${untrended(verdict.history)}`
        : '';
    return [
      `*No baseline: ${escapeText(comparison.missing ?? 'none found', 300).replace(/\.$/, '')}${branch}.*`,
      '',
    ];
  }
  const walked = comparison.walkedBack
    ? [
        `*The base commit has no verdict of this gate: the baseline is the newest along the base branch, ${codeSpan(comparison.record.headSha.slice(0, 7))}, ${comparison.walkedBack} commit${comparison.walkedBack === 1 ? '' : 's'} back.*`,
        '',
      ]
    : [];
  const tools = comparison.newlyFailingTools;
  if (tools.length === 0) return walked;
  // A base record bounded to GitHub's limit lists only its most frequent failures: one it left out reads as new here.
  const bounded = comparison.record.omitted?.failingTools
    ? ` *(the base verdict's record lists ${comparison.record.failingTools.length} of its failing tools, ${comparison.record.omitted.failingTools} left out to fit GitHub's limit: a tool named here may have failed there too)*`
    : '';
  return [
    ...walked,
    `**Newly failing** (not failing on the ${comparison.medianOf ? 'base branch in most of its last verdicts' : 'base commit'}): ${toolNames(tools)}${bounded}`,
    '',
  ];
}

function toolList(verdict: Verdict, maxTools: number, trend: TrendStyle): string[] {
  // Tools are marked new or known only against comparable verdicts.
  const history = verdict.history?.tools.length ? verdict.history : undefined;
  const byCount = [...verdict.topFailingTools].sort((a, b) => b.count - a.count);
  // With a history, the change's new failures come first: known ones were there before it.
  const tools = history
    ? [...byCount].sort(
        (a, b) => Number(isKnown(history, a.tool)) - Number(isKnown(history, b.tool)),
      )
    : byCount;
  const lines = [...historyMarkdown(verdict, trend)];
  if (tools.length === 0) return lines;
  const along = (tool: string) => {
    const seen = history?.tools.find((t) => t.tool === tool);
    return seen ? ` ${alongCell(seen, 'failed')} |` : '';
  };
  const shown = tools
    .slice(0, maxTools)
    .map((t) => `| ${escapeText(t.tool, 120)} | ${formatNumber(t.count)} |${along(t.tool)}`);
  const more =
    tools.length > maxTools
      ? [`| *and ${tools.length - maxTools} more* | |${history ? ' |' : ''}`]
      : [];
  const head = history
    ? ['| Tool | Failures | Along the base branch |', '| --- | --- | --- |']
    : ['| Tool | Failures |', '| --- | --- |'];
  return [...lines, '**Top failing tools**', '', ...head, ...shown, ...more, ''];
}

const isKnown = (history: NonNullable<Verdict['history']>, tool: string) =>
  (history.tools.find((t) => t.tool === tool)?.failedIn ?? 0) > 0;

function detailLine(verdict: Verdict, options: RenderOptions): string {
  const ids = Object.entries(verdict.ids)
    .filter(([, value]) => value)
    .map(
      ([key, value]) =>
        `${escapeText(ID_SPECS.find((spec) => spec.name === key)?.label ?? key, 40)} ${codeSpan(String(value))}`,
    );
  return [
    `${escapeText(verdict.backend, 40)}${verdict.status ? ` status ${escapeText(verdict.status, 40)}` : ''}`,
    ...ids,
    ...(options.commitSha ? [`commit ${codeSpan(options.commitSha.slice(0, 12))}`] : []),
    `${(verdict.durationMs / 1000).toFixed(1)}s`,
    ...(safeUrl(options.runUrl)
      ? [`[${options.runLabel ?? 'workflow run'}](${safeUrl(options.runUrl)})`]
      : []),
  ].join(' · ');
}

/** Cuts a body that is still too long at a line boundary, saying so. */
function fit(body: string, maxChars: number, fullVerdictAt: string): string {
  if (body.length <= maxChars) return body;
  const note = `\n\n*… cut to fit the size limit; the full verdict is in ${fullVerdictAt}.*`;
  // Room for a closing fence: a chart cut in half would swallow the note.
  const cut = body.slice(0, Math.max(0, maxChars - note.length - 4));
  const kept = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  const open = (kept.match(/^```/gm)?.length ?? 0) % 2 === 1;
  return kept + (open ? '\n```' : '') + note;
}

import type { Verdict } from '../verdict/verdict.js';
import { formatFigure, formatNumber } from '../verdict/figures.js';
import { FIGURE_SPECS, figureSpec, ID_SPECS } from '../backends/vocabulary.js';
import { codeSpan, escapeText, safeUrl } from './escape.js';
import type { Mode } from '../inputs/common.js';
import { historyMarkdown, type TrendStyle } from './trend.js';

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
}

const ICON = { pass: '✅', warn: '⚠️', fail: '❌' } as const;

/** The verdict as markdown: decision, reason, figures against thresholds, top failing tools, link. */
export function renderVerdict(verdict: Verdict, options: RenderOptions): string {
  const lines: string[] = [
    `## ${ICON[verdict.decision]} ${escapeText(options.title, 100)}: ${verdict.decision}`,
    '',
  ];
  // Shown as written: the backticks around input names stay, as in the `reason` output.
  lines.push(escapeText(verdict.reason, 1000), '');
  if (options.mode !== 'hard' && verdict.decision !== 'pass') {
    lines.push(
      `*Mode \`${options.mode}\`: ${options.mode === 'observe' ? 'reported only, not blocking' : 'not blocking; a human should look'}.*`,
      '',
    );
  }
  lines.push(...shardTable(verdict));
  lines.push(...figureTable(verdict));
  lines.push(...repeatSection(verdict));
  lines.push(...toolList(verdict, options.maxTools, options.trend ?? 'sparkline'));
  lines.push(...errorBarSection(verdict));
  lines.push(...whySection(verdict, options.maxTools));
  const dashboard = safeUrl(verdict.dashboardUrl);
  // The link text names the host, so a reader sees where a backend's link leads before following it.
  if (dashboard)
    lines.push(
      `[Open in the ${escapeText(verdict.backend, 40)} dashboard (${escapeText(new URL(dashboard).host, 100)})](${dashboard})`,
      '',
    );
  lines.push(`<sub>${detailLine(verdict, options)}</sub>`);
  const footer = options.footer ? `\n${options.footer}` : '';
  return (
    fit(
      lines.join('\n'),
      options.maxChars - footer.length,
      options.fullVerdictAt ?? 'the `report_file` output',
    ) + footer
  );
}

function figureTable(verdict: Verdict): string[] {
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
      `| ${t.holds ? '✅' : ICON[t.breaks]} | ${escapeText(t.label, 60)} | ${formatFigure(t, t.actual)} |${compare(t.figure, t.actual)} ${t.comparator === '>=' ? '≥' : '≤'} ${formatFigure(t, t.limit)} (\`${t.input}\`) |`,
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
  if (!comparison.record)
    return [`*No baseline: ${escapeText(comparison.missing ?? 'none found', 300)}.*`, ''];
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

/** Up to ten tool names, escaped, and how many more. */
function toolNames(tools: readonly string[]): string {
  const shown = tools
    .slice(0, 10)
    .map((tool) => escapeText(tool, 80))
    .join(', ');
  return `${shown}${tools.length > 10 ? ` and ${tools.length - 10} more` : ''}`;
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

/** A tool or item beside the base branch: **new** (it never failed there), or known, in m of N and when it last did not. */
function alongCell(
  seen: { failedIn: number; of: number; lastPassed?: { sha: string; at: string } },
  verb: 'failed' | 'regressed',
): string {
  if (seen.failedIn === 0)
    return `**new**: never ${verb} in ${seen.of} base-branch verdict${seen.of === 1 ? '' : 's'}`;
  const passed = seen.lastPassed
    ? `, last passed ${seen.lastPassed.at.slice(0, 10)} (${codeSpan(seen.lastPassed.sha.slice(0, 7))})`
    : ', never passed there';
  return `known: ${verb} in ${seen.failedIn} of ${seen.of}${passed}`;
}

const isKnown = (history: NonNullable<Verdict['history']>, tool: string) =>
  (history.tools.find((t) => t.tool === tool)?.failedIn ?? 0) > 0;

/** The repeats behind a pooled verdict: each figure's interval, pass^k, why the gate stopped, what the sample can see, each run. */
function repeatSection(verdict: Verdict): string[] {
  const repeats = verdict.repeats;
  if (!repeats) return [];
  const lines = [
    `**Repeats** (${repeats.run}${repeats.mode === 'auto' ? ', chosen by a sequential test' : ''}): ${repeats.passed} of ${repeats.run} passed on their own; pass^${repeats.run} ${repeats.passed === repeats.run ? 'holds' : 'does not hold'}. Stopped: ${escapeText(repeats.stopped, 200)}.`,
    '',
  ];
  const intervals = Object.entries(repeats.intervals).map(([figure, i]) => {
    const spec = figureSpec(figure);
    return `${escapeText((spec?.label ?? figure).toLowerCase(), 40)} ${formatFigure(spec, i.estimate)} [${formatFigure(spec, i.low)}, ${formatFigure(spec, i.high)}] (${Math.round(i.confidence * 100)}% ${escapeText(i.method, 60)})`;
  });
  if (intervals.length) lines.push(`Across the repeats: ${intervals.join('; ')}.`, '');
  const seen = repeats.detectable.map((d) => {
    const figure = verdict.thresholds.find((t) => t.input === d.input);
    const spec = figure ? figureSpec(figure.figure) : undefined;
    const needed =
      d.observed !== undefined
        ? d.repeatsNeeded
          ? `; the observed shortfall of ${formatFigure(spec, d.observed)} would need about ${d.repeatsNeeded} repeats to be told from noise`
          : ''
        : '';
    return `\`${d.input}\`: this sample tells a shortfall of ${formatFigure(spec, d.shortfall)} or more from noise${needed}`;
  });
  if (seen.length) lines.push(`What the sample can see: ${seen.join('; ')}.`, '');
  if (repeats.flakyTools.length)
    lines.push(
      `**Flaky** (failing in some repeats, not all): ${toolNames(repeats.flakyTools)}`,
      '',
    );
  if (repeats.steadyTools.length)
    lines.push(`**Failing in every repeat**: ${toolNames(repeats.steadyTools)}`, '');
  const shown = FIGURE_SPECS.filter((spec) =>
    repeats.rows.some((row) => row.figures[spec.name] !== undefined),
  ).slice(0, 4);
  lines.push(
    `| Repeat | Decision | ${shown.map((spec) => escapeText(spec.label, 40)).join(' | ')} | Run |`,
    `| --- | --- |${' --- |'.repeat(shown.length + 1)}`,
  );
  for (const row of repeats.rows.slice(0, 20)) {
    const link = safeUrl(row.dashboardUrl);
    const run = row.runId
      ? link
        ? `[${codeSpan(row.runId, 40)}](${link})`
        : codeSpan(row.runId, 40)
      : row.outcome === 'error'
        ? escapeText(row.reason, 120)
        : '';
    lines.push(
      `| ${row.index} | ${ICON[row.decision]} ${row.decision} | ${shown.map((spec) => formatFigure(spec, row.figures[spec.name])).join(' | ')} | ${run} |`,
    );
  }
  lines.push('');
  return lines;
}

/** Shards shown at most; the rest are counted (256 rows of a few figures stay well within GitHub's limits). */
const MAX_SHARD_ROWS = 300;

/** An aggregate's shards: a row each, with its decision, its key figures and its link. */
function shardTable(verdict: Verdict): string[] {
  const shards = verdict.shards;
  if (!shards || shards.length === 0) return [];
  const shown = FIGURE_SPECS.filter((spec) =>
    shards.some((row) => row.figures[spec.name] !== undefined),
  ).slice(0, 4);
  const rows = [...shards]
    .sort((a, b) => worstFirst(a.decision, b.decision) || a.shard.localeCompare(b.shard))
    .slice(0, MAX_SHARD_ROWS)
    .map((row) => {
      const link = safeUrl(row.dashboardUrl);
      return `| ${escapeText(row.shard, 100)} | ${ICON[row.decision]} ${row.decision} | ${shown.map((spec) => formatFigure(spec, row.figures[spec.name])).join(' | ')} | ${link ? `[open](${link})` : ''} |`;
    });
  const more =
    shards.length > MAX_SHARD_ROWS
      ? [
          `| *and ${shards.length - MAX_SHARD_ROWS} more shards* | |${' |'.repeat(shown.length + 1)}`,
        ]
      : [];
  return [
    `**Shards** (${shards.length}; the worst decides)`,
    '',
    `| Shard | Decision | ${shown.map((spec) => escapeText(spec.label, 40)).join(' | ')} | Link |`,
    `| --- | --- |${' --- |'.repeat(shown.length + 1)}`,
    ...rows,
    ...more,
    '',
  ];
}

const worstFirst = (a: Verdict['decision'], b: Verdict['decision']) =>
  ['fail', 'warn', 'pass'].indexOf(a) - ['fail', 'warn', 'pass'].indexOf(b);

/** The per-item statistics: intervals with their method, the sample a difference needs, the most regressed items. */
function errorBarSection(verdict: Verdict): string[] {
  const bars = verdict.errorBars;
  if (
    !bars ||
    (!bars.meanDelta && !bars.meanScore && !bars.passRate && bars.regressed.length === 0)
  )
    return [];
  const spec = figureSpec('mean_score');
  const interval = (name: string, i: NonNullable<typeof bars.meanDelta>) =>
    `${name} ${formatFigure(spec, i.estimate)} [${formatFigure(spec, i.low)}, ${formatFigure(spec, i.high)}] (${Math.round(i.confidence * 100)}% ${escapeText(i.method, 60)})`;
  const lines = [
    `**Error bars** (from the ${bars.passRate ? 'trace count' : 'per-item scores'})`,
    '',
  ];
  const stated = [
    bars.passRate ? interval('pass rate', bars.passRate) : '',
    bars.meanDelta ? interval('mean paired delta', bars.meanDelta) : '',
    bars.meanScore ? interval('mean score', bars.meanScore) : '',
  ].filter(Boolean);
  if (stated.length) lines.push(`${stated.join('; ')}.`, '');
  if (bars.itemsNeeded)
    lines.push(
      `The interval of the delta includes zero: telling a difference of ${formatFigure(spec, bars.meanDelta?.estimate ?? 0)} apart from zero would take about ${bars.itemsNeeded} items.`,
      '',
    );
  if (bars.regressed.length) {
    // With a history, the items that regressed for the first time come first.
    const marks = verdict.history?.items ?? [];
    const seen = (item: string) => marks.find((m) => m.item === item);
    const regressed = marks.length
      ? [...bars.regressed].sort(
          (a, b) =>
            Number((seen(a.item)?.failedIn ?? 0) > 0) - Number((seen(b.item)?.failedIn ?? 0) > 0),
        )
      : bars.regressed;
    lines.push(
      `| Most regressed item | Base | Run | Δ | Rationale |${marks.length ? ' Along the base branch |' : ''}`,
      `| --- | --- | --- | --- | --- |${marks.length ? ' --- |' : ''}`,
    );
    for (const r of regressed) {
      const mark = seen(r.item);
      lines.push(
        `| ${escapeText(r.item, 80)} | ${formatFigure(spec, r.baseline)} | ${formatFigure(spec, r.run)} | ${formatFigure(spec, r.delta)} | ${escapeText(r.rationale ?? '', 200)} |${marks.length ? ` ${mark ? alongCell(mark, 'regressed') : ''} |` : ''}`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** The backend's events about the runs that failed, grouped: what a reviewer reads before opening the dashboard. */
function whySection(verdict: Verdict, maxGroups: number): string[] {
  const why = verdict.why;
  if (!why || why.groups.length === 0) return [];
  const [first, ...others] = why.runs;
  const runs = `run ${codeSpan(first ?? '')}${others.length ? ` and ${others.length} more failing run${others.length === 1 ? '' : 's'}` : ''}`;
  const list = (items: string[]) => items.map((item) => escapeText(item, 80)).join(', ');
  const rows = why.groups
    .slice(0, maxGroups)
    .map(
      (g) =>
        `| ${g.count} | ${escapeText(g.rule ?? '—', 80)} | ${escapeText(g.source, 20)}: ${escapeText(g.kind, 60)} | ${escapeText(g.action ?? '', 40)} | ${list(g.tools)} | ${list(g.attempts)} | ${g.reasons.map((r) => escapeText(r, 200)).join('<br>')} |`,
    );
  const more =
    why.groups.length > maxGroups
      ? [`| *and ${why.groups.length - maxGroups} more groups* | | | | | | |`]
      : [];
  return [
    '**Why it failed**',
    '',
    `What ${escapeText(verdict.backend, 40)} recorded for ${runs}, grouped by the policy or rule that fired, kind and action:`,
    '',
    '| Events | Policy or rule | Kind | Action | Tools | Attempts | First reasons |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...more,
    '',
  ];
}

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

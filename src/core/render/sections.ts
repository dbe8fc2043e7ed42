import type { Verdict } from '../verdict/verdict.js';
import { formatFigure } from '../verdict/figures.js';
import { FIGURE_SPECS, figureSpec } from '../backends/vocabulary.js';
import { codeSpan, escapeText, safeUrl } from './escape.js';
import { alongCell, ICON, toolNames } from './cells.js';
import { intervalOf } from '../support/stats.js';
import type { InputWord } from '../inputs/declare.js';

/* The sections a verdict shows when it has them: repeats, shards, error bars, why it failed. */

/** The repeats behind a pooled verdict: each figure's interval, pass^k, why the gate stopped, what the sample can see, each run. */
export function repeatSection(verdict: Verdict, word: InputWord): string[] {
  const repeats = verdict.repeats;
  if (!repeats) return [];
  const unevaluated = repeats.rows.filter((row) => row.outcome !== 'evaluated').length;
  const lines = [
    `**Repeats** (${repeats.run}${unevaluated ? ` evaluated, and ${unevaluated} without a verdict` : ''}${repeats.mode === 'auto' ? ', chosen by a sequential test' : ''}): ${repeats.passed} of ${repeats.run} passed on their own; pass^${repeats.run} ${repeats.passed === repeats.run ? 'holds' : 'does not hold'}. Stopped: ${escapeText(repeats.stopped, 200)}.`,
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
    return `\`${word(d.input)}\`: this sample tells a shortfall of ${formatFigure(spec, d.shortfall)} or more from noise${needed}`;
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
    // A repeat without a verdict is no fail: it was not evaluated.
    const decided =
      row.outcome === 'evaluated'
        ? `${ICON[row.decision]} ${row.decision}`
        : `⚠️ no verdict${row.replacedBy !== undefined ? `, repeat ${row.replacedBy} in its place` : ''}`;
    lines.push(
      `| ${row.index} | ${decided} | ${shown.map((spec) => formatFigure(spec, row.figures[spec.name])).join(' | ')} | ${run} |`,
    );
  }
  lines.push('');
  return lines;
}

/** Shards shown at most; the rest are counted (256 rows of a few figures stay well within GitHub's limits). */
const MAX_SHARD_ROWS = 300;

/** An aggregate's shards: a row each, with its decision, its key figures and its link. */
export function shardTable(verdict: Verdict): string[] {
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
export function errorBarSection(verdict: Verdict): string[] {
  const bars = verdict.errorBars;
  if (!bars || (bars.intervals.length === 0 && bars.regressed.length === 0)) return [];
  const lines = [`**Error bars** (from the ${escapeText(bars.basis, 60)})`, ''];
  const stated = bars.intervals.map(({ figure, label, interval: i }) => {
    const spec = figureSpec(figure);
    return `${escapeText(label, 60)} ${formatFigure(spec, i.estimate)} [${formatFigure(spec, i.low)}, ${formatFigure(spec, i.high)}] (${Math.round(i.confidence * 100)}% ${escapeText(i.method, 60)})`;
  });
  if (stated.length) lines.push(`${stated.join('; ')}.`, '');
  if (bars.itemsNeeded) {
    const { figure, count } = bars.itemsNeeded;
    const estimate = intervalOf(bars, figure)?.estimate ?? 0;
    lines.push(
      `The interval of the delta includes zero: telling a difference of ${formatFigure(figureSpec(figure), estimate)} apart from zero would take about ${count} items.`,
      '',
    );
  }
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
    const spec = figureSpec(bars.itemScores ?? '');
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
export function whySection(verdict: Verdict, maxGroups: number): string[] {
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

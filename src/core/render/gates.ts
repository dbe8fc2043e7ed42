import { worstFirst } from '../gates/combine.js';
import type { GatesSummary, RemovedEntry } from '../gates/types.js';
import type { Verdict } from '../verdict/verdict.js';
import { ICON } from './cells.js';
import { codeSpan, quotedText } from './escape.js';
import { clauses } from '../support/text.js';

/** What the body of many gates needs of the page it goes on. */
export interface GatesBodyOptions {
  /** Most characters for everything under the headline and above the last line. */
  maxChars: number;
  /** One entry's section (its heading, figures, why), within `maxChars`. */
  section: (verdict: Verdict, title: string, maxChars: number) => string;
  /** Where the whole verdict is, said where sections are left out. */
  fullVerdictAt: string;
}

/** Entries whose globs a "not affected" line lists at most. */
const LISTED_GLOBS = 5;
/** The least room an entry's section is given before sections are left out. */
const MIN_SECTION_CHARS = 1_200;

/**
 * Many gates in one body: how the entries were chosen, a table of every entry that ran (worst
 * first: a reviewer reads the failing ones first), the entries the change removed with the base
 * commit's last verdict of each, a section each in that order, and the entries not affected, with
 * their paths. Sections that do not fit the page are left out, said, never
 * the table's rows of failing entries.
 */
export function gatesBody(summary: GatesSummary<Verdict>, options: GatesBodyOptions): string[] {
  const ran = worstFirst(summary.entries);
  const skipped = summary.entries.filter((entry) => !entry.ran);
  const lines: string[] = [quotedText(summary.selection, 400), ''];
  if (ran.length > 0) {
    // Every entry run for one reason (a push, the config changed): the line above says it once.
    const oneWhy =
      summary.entries.every((entry) => entry.ran && entry.why === ran[0]?.why) &&
      summary.selection.includes(ran[0]?.why ?? '');
    lines.push(
      oneWhy ? '| | Gate | Reason |' : '| | Gate | Why it ran | Reason |',
      oneWhy ? '| --- | --- | --- |' : '| --- | --- | --- | --- |',
    );
    for (const entry of ran) {
      const verdict = entry.verdict as Verdict;
      const why = oneWhy ? '' : ` ${quotedText(entry.why, 200)} |`;
      lines.push(
        `| ${ICON[verdict.decision]} | ${codeSpan(entry.name, 64)} |${why} ${quotedText(clauses(verdict.reason, 400), 400)} |`,
      );
    }
    lines.push('');
  }
  if (summary.removed && summary.removed.length > 0) lines.push(...removedList(summary.removed));
  const notAffected = skipped.length > 0 ? notAffectedList(skipped) : [];
  let room = options.maxChars - lines.join('\n').length - notAffected.join('\n').length - 200;
  const sections: string[] = [];
  let left = 0;
  for (const [index, entry] of ran.entries()) {
    // Worst first, each at least the least room: failing sections come whole before passing ones are cut.
    const share = Math.min(
      room,
      Math.max(MIN_SECTION_CHARS, Math.floor(room / (ran.length - index))),
    );
    if (share < MIN_SECTION_CHARS) {
      left = ran.length - index;
      break;
    }
    const section = options.section(entry.verdict as Verdict, entry.name, share);
    sections.push(section, '');
    room -= section.length + 1;
  }
  if (left > 0)
    sections.push(
      `*${left} more ${left === 1 ? 'section is' : 'sections are'} left out to fit the size limit (their rows are in the table above); the whole verdict of every gate is in ${options.fullVerdictAt}.*`,
      '',
    );
  return [...lines, ...sections, ...notAffected];
}

/** Removed entries a list names at most; the rest are counted (the report file holds all). */
const LISTED_REMOVED = 20;

/** The entries the base commit's verdict holds and the config file no longer does: each with that verdict, never dropped unseen. */
function removedList(removed: readonly RemovedEntry[]): string[] {
  const more = removed.length - LISTED_REMOVED;
  return [
    `**Removed by this change** (${removed.length}; in the base commit's last verdict, not in the config file: not evaluated, so this check warns at best):`,
    '',
    ...removed
      .slice(0, LISTED_REMOVED)
      .map(
        (entry) =>
          `- ${codeSpan(entry.name, 64)}: the base commit's last verdict ${ICON[entry.decision]} ${entry.decision} (${entry.sha.slice(0, 7)})`,
      ),
    ...(more > 0 ? [`- and ${more} more`] : []),
    '',
  ];
}

/** The entries the change did not reach: never counted as passing, listed with their paths. */
function notAffectedList(skipped: readonly GatesSummary<Verdict>['entries'][number][]): string[] {
  return [
    `**Not affected** (${skipped.length}; not evaluated, not counted as passing): no changed file is under their paths.`,
    '',
    ...skipped.map((entry) => {
      const globs = entry.paths.slice(0, LISTED_GLOBS).map((glob) => codeSpan(glob, 80));
      const more =
        entry.paths.length > LISTED_GLOBS ? ` and ${entry.paths.length - LISTED_GLOBS} more` : '';
      return `- ${codeSpan(entry.name, 64)}: ${globs.join(', ')}${more}`;
    }),
    '',
  ];
}

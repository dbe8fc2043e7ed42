/** `text` cut to at most `max` characters, the last one an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text from outside (a backend, a file) on one line and cut to `max` characters, for a message. */
export function excerpt(text: string, max = 80): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

/**
 * A reason on one line, cut to `max` characters where one of its clauses ends (`; `), so a
 * reader never meets half a figure or half a code span; a first clause longer than `max` is cut
 * before the code span it would break.
 */
export function clauses(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const parts = line.split('; ');
  let kept = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    if (`${kept}; ${part}`.length > max - 2) break;
    kept = `${kept}; ${part}`;
  }
  if (kept.length <= max - 2) return `${kept.replace(/\.$/, '')}; …`;
  const cut = line.slice(0, max - 1);
  // An odd number of backticks: the cut is inside a code span, which goes whole.
  const open = (cut.match(/`/g) ?? []).length % 2 === 1 ? cut.lastIndexOf('`') : cut.length;
  return `${cut.slice(0, open).trimEnd()}…`;
}

/**
 * Text whose lines can never be read as GitHub Actions workflow commands: a zero-width space
 * splits a leading `::` (`::warning::`, `::add-mask::`) and every `##[`, the legacy form
 * (`##[add-mask]`, `##[error]`) that the runner obeys anywhere in a line, on stdout and stderr.
 * Backend text printed by the action, or by the command line inside a GitHub job, is shown, not
 * obeyed.
 */
export function defuseCommands(text: string): string {
  // The runner trims what .NET calls white space before it looks for `::`: JavaScript's `\s` and U+0085 (NEL).
  return text.replace(/^([\s\u0085]*):(?=:)/gm, '$1:\u200b').replace(/##\[/g, '##\u200b[');
}

/* eslint-disable no-control-regex -- these patterns exist to find control characters. */
/** Terminal escape sequences: CSI (`ESC [ … m`), OSC (`ESC ] … BEL`, titles and hyperlinks), and two-character escapes. */
const ESCAPE_SEQUENCES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
/** Control characters but line feed and tab, C1 controls, and the bidirectional overrides that reorder what a reader sees. */
export const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * Text from outside made safe to print in a terminal or a CI log: no escape sequence, no
 * carriage return (which would overwrite what a reader sees), no other control character, and
 * no line that starts a workflow command. Line feeds stay; Unicode line separators become them.
 */
export function printable(text: string): string {
  return defuseCommands(
    text
      .replace(ESCAPE_SEQUENCES, '')
      .replace(/\r\n?/g, '\n')
      .replace(/[\u2028\u2029\x85]/g, '\n')
      .replace(UNPRINTABLE, ''),
  );
}

/** {@link printable} on one line: what a CI reads as the last line of a command's output. */
export function printableLine(text: string): string {
  return printable(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** `1.2 MiB`, `340 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

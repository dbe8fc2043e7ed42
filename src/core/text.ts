/** `text` cut to at most `max` characters, the last one an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text from outside (a backend, a file) on one line and cut to `max` characters, for a message. */
export function excerpt(text: string, max = 80): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

/**
 * Text whose lines can never be read as GitHub Actions workflow commands (`::warning::`,
 * `::add-mask::`): a zero-width space splits a leading `::`. Backend text printed by the action,
 * or by the command line inside a GitHub job, is shown, not obeyed.
 */
export function defuseCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b');
}

/** `text` cut to at most `max` characters, the last one an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text from outside (a backend, a file) on one line and cut to `max` characters, for a message. */
export function excerpt(text: string, max = 80): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

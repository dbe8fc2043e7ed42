import { createHash } from 'node:crypto';

/**
 * The hidden marker that finds this gate's comment (GitHub) or note (GitLab) again; hashed so
 * no check name can break out of the HTML comment it sits in.
 */
export function commentMarker(checkName: string): string {
  return `<!-- agent-reliability-gate:${createHash('sha256').update(checkName).digest('hex').slice(0, 16)} -->`;
}

/**
 * Whether `body` is the gate's own, marked `marker`: the marker is the body's last line, where
 * the gate puts it. A marker anywhere else (quoted, or planted by backend text in a body written
 * before backend text was defused) names no body.
 */
export function endsWithMarker(body: string | null | undefined, marker: string): boolean {
  return (body ?? '').trimEnd().endsWith(`\n${marker}`);
}

/**
 * Backend text that can open no HTML comment in a body: a zero-width joiner splits `<!--`, so
 * no id can carry another gate's marker (or anything shaped like one) into a comment, a note or
 * a check. A reader sees the same text.
 */
export function defuseMarkers(text: string): string {
  return text.replace(/<!--/g, '<!-\u200d-');
}

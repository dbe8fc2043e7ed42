import { createHash } from 'node:crypto';

/**
 * The hidden marker that finds this gate's comment (GitHub) or note (GitLab) again; hashed so
 * no check name can break out of the HTML comment it sits in.
 */
export function commentMarker(checkName: string): string {
  return `<!-- agent-reliability-gate:${createHash('sha256').update(checkName).digest('hex').slice(0, 16)} -->`;
}

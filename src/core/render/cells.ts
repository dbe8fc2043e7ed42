import { codeSpan, escapeText } from './escape.js';

/* The cells both the verdict's body and its sections write. */

/** A decision's icon. */
export const ICON = { pass: '✅', warn: '⚠️', fail: '❌' } as const;

/** Up to ten tool names, escaped, and how many more. */
export function toolNames(tools: readonly string[]): string {
  const shown = tools
    .slice(0, 10)
    .map((tool) => escapeText(tool, 80))
    .join(', ');
  return `${shown}${tools.length > 10 ? ` and ${tools.length - 10} more` : ''}`;
}

/** A tool or item beside the base branch: **new** (it never failed there), or known, in m of N and when it last did not. */
export function alongCell(
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

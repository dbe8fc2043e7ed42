import type { DetectedChange } from '../core/change/ci.js';
import type { GateLog } from '../core/support/log.js';
import { redactText } from '../core/support/secrets.js';
import { printable } from '../core/support/text.js';
import { inFlagWords } from './flags.js';

/** Where the command line's progress goes: stderr, a live line on a terminal, plain lines in a CI log. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The gate's log on stderr, redacted of the secrets. On a terminal each step keeps one live
 * line that its progress overwrites; in a CI log every line stays, as it happened.
 */
export function cliLog(
  stream: ProgressStream,
  secrets: readonly (string | undefined)[],
  verbose: boolean,
): GateLog & { close(): void } {
  const live = stream.isTTY === true;
  let open = false;
  // Backend text is data: no escape sequence, carriage return or workflow command reaches the log.
  // The gate's own lines name inputs as the command line does (`max_runs` → --max-runs).
  const clean = (message: string) => printable(inFlagWords(redactText(message, secrets)));
  const line = (text: string) => {
    if (live) {
      stream.write(`\r\x1b[2K${text.replace(/\s+/g, ' ')}`);
      open = true;
    } else stream.write(`${text}\n`);
  };
  const close = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    info: (message) => line(clean(message)),
    debug: (message) => {
      if (!verbose) return;
      close();
      stream.write(`debug: ${clean(message)}\n`);
    },
    warning: (message) => {
      close();
      stream.write(`warning: ${clean(message)}\n`);
    },
    group: async (title, work) => {
      close();
      stream.write(`▸ ${clean(title)}\n`);
      try {
        return await work();
      } finally {
        close();
      }
    },
    close,
  };
}

/** The first line of a gate's progress: what is gated, read from which CI. */
export function gatingLine(change: DetectedChange): string {
  const request = change.pullRequestNumber ? ` (merge request ${change.pullRequestNumber})` : '';
  const at = change.commitSha ? ` at ${change.commitSha.slice(0, 12)}` : '';
  return `Gating ${change.repository}${request}${at}; read from ${change.ci}.`;
}

import * as core from '@actions/core';
import type { GateLog } from '../core/support/log.js';
import { redactText } from '../core/support/secrets.js';
import { printable } from '../core/support/text.js';

/**
 * The gate's log on the Actions runner. Every line is redacted of the secrets first (the
 * runner's masking is a second line of defence, not the only one), and backend text that would
 * be a workflow command (`::warning::`, `::add-mask::` at a line's start, `##[add-mask]`
 * anywhere) is broken so that the runner shows it instead of obeying it; escape sequences and
 * control characters are dropped.
 */
export function actionsLog(secrets: readonly (string | undefined)[]): GateLog {
  // Debug, warning and group lines are commands of their own, whose message the runner does not
  // parse again; they are defused all the same, so no line the gate prints carries a command.
  // Printable too: no terminal escape sequence or control character from a backend reaches the log.
  const clean = (message: string) => printable(redactText(message, secrets));
  return {
    info: (message) => core.info(clean(message)),
    debug: (message) => core.debug(clean(message)),
    warning: (message) => core.warning(clean(message)),
    group: (title, work) => core.group(clean(title), work),
  };
}

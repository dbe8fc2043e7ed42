import * as core from '@actions/core';
import type { GateLog } from '../core/log.js';
import { redactText } from '../core/secrets.js';
import { defuseCommands } from '../core/text.js';

/**
 * The gate's log on the Actions runner. Every line is redacted of the secrets first (the
 * runner's masking is a second line of defence, not the only one), and a line of backend text
 * that would start a workflow command (`::warning::`, `::add-mask::`, `::set-output`) is
 * broken so that the runner shows it instead of obeying it.
 */
export function actionsLog(secrets: readonly (string | undefined)[]): GateLog {
  const clean = (message: string) => redactText(message, secrets);
  return {
    info: (message) => core.info(defuseCommands(clean(message))),
    // The runner escapes these commands' messages itself.
    debug: (message) => core.debug(clean(message)),
    warning: (message) => core.warning(clean(message)),
    group: (title, work) => core.group(clean(title), work),
  };
}

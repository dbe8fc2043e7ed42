import * as core from '@actions/core';
import type { GateLog } from './backends/types.js';

/** The gate's log on the Actions runner. */
export const actionsLog: GateLog = {
  info: (message) => core.info(message),
  debug: (message) => core.debug(message),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work),
};

import type { Mode } from '../core/inputs/common.js';
import type { GateLog } from '../core/log.js';
import type { AgentSource } from '../core/transport/agents.js';
import type { Verdict } from '../core/verdict.js';
import { startGitLabNote } from '../report/gitlab/note.js';
import { gitlabNotePlace } from '../report/gitlab/place.js';

/** Where the command line reports beside its files: the merge request's note, when asked for. */
export interface ReviewReport {
  finish(verdict: Verdict, mode: Mode): Promise<void>;
}

const NOTHING: ReviewReport = { finish: async () => undefined };

/**
 * With `GATE_GITLAB_TOKEN` in a merge-request pipeline, the gate's sticky note on the merge
 * request (looked up from now on, written with the verdict); otherwise nothing, and the log says
 * why when a token was given.
 */
export function startReviewReport(env: NodeJS.ProcessEnv, gitlabToken: string | undefined, checkName: string, log: GateLog, agents?: AgentSource): ReviewReport {
  const found = gitlabNotePlace(env, gitlabToken, checkName);
  if (!found) return NOTHING;
  if ('skip' in found) {
    if (found.warn) log.warning(found.skip);
    else log.info(found.skip);
    return NOTHING;
  }
  return startGitLabNote(found.place, log, agents);
}

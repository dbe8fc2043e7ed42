import { changeOf, readEventPayload, readTarget } from '../core/change/github.js';
import { InputError } from '../core/errors.js';
import { type GatePlan, planGate } from '../core/gate.js';
import type { RawInputs } from '../core/inputs/fields.js';
import type { GitHubPlace } from './github/report.js';
import { parseGitHubInputs } from './inputs.js';

/** A gate the action can run: the core's plan, and where it reports on GitHub. */
export interface ActionPlan {
  gate: GatePlan;
  github: GitHubPlace;
}

const FORK_WITHOUT_SECRET =
  'Input `token` is empty: this pull request comes from a fork, and GitHub gives fork workflows no secrets. ' +
  'Gate fork pull requests from a `workflow_run` workflow that runs in the base repository (see examples/workflows/fork-safe-gate.yml).';

/**
 * Reads the event the workflow runs on and validates every input, the gate's and GitHub
 * reporting's; throws an {@link InputError} before any network call.
 */
export async function planAction(raw: RawInputs, env: NodeJS.ProcessEnv): Promise<ActionPlan> {
  const target = readTarget(env.GITHUB_EVENT_NAME ?? '', readEventPayload(env), env);
  if (!raw.token?.trim() && target.fromFork) throw new InputError(FORK_WITHOUT_SECRET);
  const reporting = parseGitHubInputs(raw);
  const gate = await planGate(raw, changeOf(target));
  return {
    gate,
    github: {
      ...target,
      token: reporting.github_token,
      comment: reporting.comment,
      checkName: reporting.check_name ?? gate.backend.defaultCheckName,
      mode: gate.inputs.mode,
      // The `head_sha` and `pull_request_number` inputs, applied by the core, override the event.
      headSha: gate.change.commitSha,
      pullRequestNumber: gate.change.pullRequestNumber,
    },
  };
}

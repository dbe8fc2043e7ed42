import type { GatesConfig } from './config.js';
import type { StepDefinition } from './select.js';

/**
 * The files that define every entry: the config file, and what runs the step. On GitHub, the
 * workflow (`GITHUB_WORKFLOW_REF`) and every workflow and local action: a reusable workflow or
 * a composite action may hold the step's inputs, and the job is not told which. On GitLab, the
 * pipeline (`CI_CONFIG_PATH`) and `.gitlab/`, where its includes usually are. Every entry
 * inherits the step's inputs, so a change to any of them runs them all.
 */
export function stepDefinitions(config: GatesConfig, env: NodeJS.ProcessEnv): StepDefinition[] {
  const definitions: StepDefinition[] = [{ path: config.repositoryPath, what: 'the config file' }];
  // `owner/repo/.github/workflows/gate.yml@refs/pull/7/merge`: the path, up to the last `@`.
  const workflow = /^[^/]+\/[^/]+\/(.+)@[^@]*$/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  if (workflow) definitions.push({ path: workflow, what: 'the workflow that runs this step' });
  if (workflow || env.GITHUB_ACTIONS === 'true')
    definitions.push(
      { path: '.github/workflows/', what: 'a workflow, which may hold this step' },
      { path: '.github/actions/', what: 'a local action, which may hold this step' },
    );
  if (env.GITLAB_CI === 'true')
    definitions.push(
      {
        path: env.CI_CONFIG_PATH?.trim() || '.gitlab-ci.yml',
        what: 'the pipeline that runs this job',
      },
      { path: '.gitlab/', what: "a file of the pipeline's includes, which may hold this job" },
    );
  return definitions;
}

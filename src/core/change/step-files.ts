import type { StepDefinition } from '../gates/select.js';

/**
 * What runs the step, from the CI's own variables, read once at the door: on GitHub, the
 * workflow (`GITHUB_WORKFLOW_REF`) and every workflow and local action (a reusable workflow or a
 * composite action may hold the step's inputs, and the job is not told which); on GitLab, the
 * pipeline (`CI_CONFIG_PATH`) and `.gitlab/`, where its includes usually are. A change to any of
 * them runs every entry of a config file.
 */
export function stepFilesOf(env: NodeJS.ProcessEnv): StepDefinition[] {
  const files: StepDefinition[] = [];
  // `owner/repo/.github/workflows/gate.yml@refs/pull/7/merge`: the path, up to the last `@`.
  const workflow = /^[^/]+\/[^/]+\/(.+)@[^@]*$/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  if (workflow) files.push({ path: workflow, what: 'the workflow that runs this step' });
  if (workflow || env.GITHUB_ACTIONS === 'true')
    files.push(
      { path: '.github/workflows/', what: 'a workflow, which may hold this step' },
      { path: '.github/actions/', what: 'a local action, which may hold this step' },
    );
  if (env.GITLAB_CI === 'true')
    files.push(
      {
        path: env.CI_CONFIG_PATH?.trim() || '.gitlab-ci.yml',
        what: 'the pipeline that runs this job',
      },
      { path: '.gitlab/', what: "a file of the pipeline's includes, which may hold this job" },
    );
  return files;
}

import { BackendCallError, InputError, messageOf } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import type { GateLog } from '../types.js';
import type { BraintrustClient } from './client.js';
import type { BraintrustInputs } from './inputs.js';
import type { Experiment, Project } from './schemas.js';

/** Braintrust's web app, where an experiment is shown; a self-hosted data plane is shown there too. */
export const BRAINTRUST_APP = 'https://www.braintrust.dev';
/** Experiments named when none matches: the project's newest. */
const NAMES_SHOWN = 10;

/**
 * The experiment to gate, and its project: by `experiment_id`, or by its exact `experiment_name`
 * in the project. None, several, one deleted, or one of another project than the inputs name is
 * said with what exists, and the gate fails closed.
 */
export async function findExperiment(
  client: BraintrustClient,
  inputs: BraintrustInputs,
  log: GateLog,
): Promise<{ experiment: Experiment; project: Project }> {
  const experiment = inputs.experiment_id
    ? await client.experiment(inputs.experiment_id)
    : await experimentNamed(client, inputs);
  if (experiment.deleted_at)
    throw new InputError(
      `Braintrust experiment "${excerpt(experiment.name, 80)}" (${experiment.id}) was deleted; set \`${inputs.experiment_id ? 'experiment_id' : 'experiment_name'}\` to an experiment that exists`,
    );
  const project = await client.project(experiment.project_id);
  // The project asked for is not the one answered: an answer the gate cannot trust.
  if (project.id.toLowerCase() !== experiment.project_id.toLowerCase())
    throw new BackendCallError(
      'GET /v1/project/{project_id}',
      `Braintrust answered project ${project.id} for the experiment's project ${experiment.project_id}, so the gate fails closed.`,
    );
  // The inputs name an experiment of one project and another project: the user's setup to fix.
  const byId = inputs.project_id !== undefined;
  const wrong = byId
    ? inputs.project_id?.toLowerCase() !== project.id.toLowerCase()
    : inputs.project_name !== undefined && inputs.project_name !== project.name;
  if (wrong) {
    const input = byId ? 'project_id' : 'project_name';
    const right = byId ? project.id : `"${excerpt(project.name, 80)}"`;
    throw new InputError(
      `Input \`${input}\`: Braintrust experiment "${excerpt(experiment.name, 80)}" (${experiment.id}) is of project "${excerpt(project.name, 80)}" (${project.id}), not the one \`${input}\` names; set \`${input}\` to ${right}, or \`experiment_id\` to an experiment of that project`,
    );
  }
  log.info(
    `Experiment "${excerpt(experiment.name, 80)}" (${experiment.id}) of project "${excerpt(project.name, 80)}".`,
  );
  return { experiment, project };
}

async function experimentNamed(
  client: BraintrustClient,
  inputs: BraintrustInputs,
): Promise<Experiment> {
  const name = inputs.experiment_name ?? '';
  const project = inputs.project_id
    ? { id: inputs.project_id }
    : { name: inputs.project_name ?? '' };
  const where =
    'id' in project ? `project ${project.id}` : `project "${excerpt(project.name, 80)}"`;
  // Braintrust's filter is the gate's first cut; the name must match exactly.
  const named = (await client.experiments(project, name)).filter(
    (e) => e.name === name && !e.deleted_at,
  );
  const [only] = named;
  if (only && named.length === 1) return only;
  if (named.length > 1)
    throw new InputError(
      `${named.length} Braintrust experiments are named "${excerpt(name, 80)}" in ${where} (${named
        .slice(0, NAMES_SHOWN)
        .map((e) => `${e.id}${e.created ? `, created ${e.created}` : ''}`)
        .join(
          '; ',
        )}): they are of different projects of that name, in organizations the key can read; set \`experiment_id\` (or \`project_id\`) to say which`,
    );
  const newest = (await client.experiments(project)).filter((e) => !e.deleted_at);
  throw new InputError(
    newest.length
      ? `Input \`experiment_name\`: no Braintrust experiment is named "${excerpt(name, 80)}" in ${where}; its newest are ${newest
          .slice(0, NAMES_SHOWN)
          .map((e) => `"${excerpt(e.name, 60)}"`)
          .join(
            ', ',
          )}. Set \`experiment_name\` to the name \`braintrust eval\` logged (its \`experimentName\`)`
      : `Input \`${'id' in project ? 'project_id' : 'project_name'}\`: Braintrust has no experiment the key in \`token\` can read in ${where}: check the project's name, and that \`braintrust eval\` ran before the gate`,
  );
}

/**
 * The experiment's page in Braintrust's app, where its organization's name can be read; without
 * it there is no link (said in the log), never a wrong one.
 */
export async function dashboardUrl(
  client: BraintrustClient,
  project: Project,
  experiment: Experiment,
  log: GateLog,
): Promise<string | undefined> {
  try {
    const org = await client.organizationName(project.org_id);
    const part = encodeURIComponent;
    return `${BRAINTRUST_APP}/app/${part(org)}/p/${part(project.name)}/experiments/${part(experiment.name)}`;
  } catch (error) {
    log.info(
      `No link to the experiment: its organization could not be read (${messageOf(error)}).`,
    );
    return undefined;
  }
}

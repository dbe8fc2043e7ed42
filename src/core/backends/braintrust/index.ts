import { parseInputs, type RawInputs } from '../../inputs/fields.js';
import type { Evaluation } from '../../verdict/verdict.js';
import type { Backend, BackendContext, PreparedGate, SharedInputs } from '../types.js';
import { BraintrustClient } from './client.js';
import { evaluationOf } from './evaluation.js';
import { dashboardUrl, findExperiment } from './experiment.js';
import { BRAINTRUST_RULES, BraintrustInputs } from './inputs.js';
import { readRows } from './rows.js';
import { BRAINTRUST_FIGURES, BRAINTRUST_IDS, BRAINTRUST_THRESHOLDS } from './vocabulary.js';

/**
 * Braintrust: the workflow's own step ran `braintrust eval`, which logged an experiment; the gate
 * reads its rows through Braintrust's API and judges them (contract section 13).
 *
 * It is a `service` backend, not one that `reads` a file: it calls an API with a credential, so it
 * reads `token` (required, masked, sent only to `base_url`) and `base_url` (a self-hosted data
 * plane). But like a file it evaluates something that already exists: it starts and polls
 * nothing and cannot run the experiment again (`existing`: `poll_interval`, `repeats`,
 * `retry_errors`, `max_runs` given are input errors, and an error is not retried:
 * `restartable: false`), and Braintrust decides nothing of its own, so the thresholds alone
 * decide (`judgedByThresholds`).
 */
export const braintrust: Backend = {
  id: 'braintrust',
  displayName: 'Braintrust',
  evaluates: {
    kind: 'service',
    defaultBaseUrl: 'https://api.braintrust.dev',
    credential: 'an API key',
    judgedByThresholds: true,
    existing: {
      what: 'an experiment `braintrust eval` already logged',
      samples:
        "set Braintrust's `trialCount` in the `Eval(...)` (`trial_count` in Python): each case runs that many times, a row each, and the gate reads them as one case",
    },
  },
  defaultCheckName: 'Braintrust Gate',
  evaluationNoun: 'experiment',
  intervals:
    'the Wilson interval of the pass rate and the t interval of the mean score, over the rows evaluated',
  inputs: BraintrustInputs,
  figures: BRAINTRUST_FIGURES,
  ids: BRAINTRUST_IDS,
  thresholds: BRAINTRUST_THRESHOLDS,
  drops: [{ input: 'max_pass_rate_drop', figure: 'pass_rate' }],
  headlineFigure: 'mean_score',
  alternatives: [
    ['experiment_name', 'experiment_id'],
    ['project_name', 'project_id'],
  ],
  // Another project, or another score judging the rows, is not comparable; an experiment of
  // another dataset shares no case with this one, which the cases say on their own.
  comparable: [
    { name: 'project', label: 'project', from: { id: 'project_id' } },
    { name: 'score', label: 'score', from: { id: 'score_name' } },
  ],
  async prepare(raw: RawInputs, shared: SharedInputs): Promise<PreparedGate> {
    // `repeats`, `retry_errors` and the like are refused by the plan (`evaluates.existing`).
    const inputs = parseInputs(BraintrustInputs, raw, BRAINTRUST_RULES);
    return {
      run: (context) => gateExperiment(inputs, shared, context),
      // Another attempt would read the same experiment.
      restartable: false,
    };
  },
};

async function gateExperiment(
  inputs: BraintrustInputs,
  shared: SharedInputs,
  context: BackendContext,
): Promise<Evaluation> {
  const { log } = context;
  const client = new BraintrustClient(context, shared.token);
  const { experiment, project } = await log.group('Find the experiment', () =>
    findExperiment(client, inputs, log),
  );
  context.learned({ experiment_id: experiment.id, project_id: experiment.project_id });
  const link = await dashboardUrl(client, project, experiment, log);
  const read = await log.group('Read the experiment rows', () =>
    readRows(experiment.id, (cursor) => client.fetchPage(experiment.id, cursor)),
  );
  log.info(
    `Read ${read.rows.length} ${read.rows.length === 1 ? 'row' : 'rows'} (root spans) in ${read.pages} ${read.pages === 1 ? 'page' : 'pages'}` +
      (read.repeated > 0
        ? `; ${read.repeated} repeated ${read.repeated === 1 ? 'event was' : 'events were'} counted once, at the newest version.`
        : '.'),
  );
  return evaluationOf(read.rows, { experiment, inputs, shared, dashboardUrl: link });
}

import { parseInputs, type RawInputs } from '../../inputs/fields.js';
import { pollUntilTerminal } from '../../support/poll.js';
import type { Backend, BackendContext, PreparedGate } from '../types.js';
import { SepuruxClient } from './client.js';
import { BackendCallError, InputError } from '../../support/errors.js';
import { excerpt } from '../../support/text.js';
import {
  type PolledResource,
  progressState,
  sepuruxThresholds,
  toEvaluation,
} from './evaluation.js';
import { SEPURUX_RULES, SepuruxInputs } from './inputs.js';
import { SEPURUX_FIGURES, SEPURUX_IDS, SEPURUX_THRESHOLDS } from './vocabulary.js';
import { explainFailure } from './why.js';
import type { Progress, RunCreated } from './schemas.js';
import { readTraceFile, type TraceFile } from './trace-file.js';
import { formatBytes } from '../../support/text.js';

/** Sepurux: upload a trace, resolve the campaign, start a CI run or batch, poll its verdict. */
export const sepurux: Backend = {
  id: 'sepurux',
  displayName: 'Sepurux',
  evaluates: {
    kind: 'service',
    defaultBaseUrl: 'https://app.sepurux.dev/api/backend',
    credential: 'a project API key or CI token',
  },
  defaultCheckName: 'Sepurux Reliability Gate',
  intervals: 'the Wilson interval of the pass rate where the count behind it is known',
  inputs: SepuruxInputs,
  figures: SEPURUX_FIGURES,
  ids: SEPURUX_IDS,
  thresholds: SEPURUX_THRESHOLDS,
  drops: [
    { input: 'max_pass_rate_drop', figure: 'pass_rate' },
    { input: 'max_reliability_drop', figure: 'reliability_score' },
  ],
  headlineFigure: 'pass_rate',
  alternatives: [
    ['trace_file', 'trace_id'],
    ['campaign_name', 'campaign_id'],
  ],
  comparable: [{ name: 'campaign', label: 'campaign', from: { id: 'campaign_id' } }],
  async prepare(
    raw: RawInputs,
    { token, confidence, onInconclusive, minCoverage },
  ): Promise<PreparedGate> {
    // The trace file is read even when another input is wrong: every problem is said in one run.
    const problems: unknown[] = [];
    let inputs: SepuruxInputs | undefined;
    try {
      inputs = parseInputs(SepuruxInputs, raw, SEPURUX_RULES);
    } catch (error) {
      problems.push(error);
    }
    const path = raw.trace_file?.trim();
    const trace = path
      ? await readTraceFile(path).catch((error: unknown) => void problems.push(error))
      : undefined;
    const invalid = InputError.combine(problems);
    if (invalid || !inputs) throw invalid ?? new Error('unreachable: inputs without problems');
    const settings = {
      ...inputs,
      token,
      min_coverage: minCoverage,
      ...(confidence === undefined ? {} : { confidence }),
      onInconclusive,
    };
    // Repeats share one campaign look-up and one upload; each starts its own run, found again by its gate key.
    let subject: Promise<Subject> | undefined;
    const started = new Map<string, { client: SepuruxClient; created: RunCreated }>();
    // Each scenario run a batch started, and the batch: two repeats' batches sharing one are one evaluation pooled twice.
    const scenarioRuns = new Map<string, string>();
    return {
      async run(context) {
        const client = new SepuruxClient(context, token, inputs.project_id);
        // A look-up or upload that failed is tried again by the next attempt, not remembered as failed.
        subject ??= resolveSubject(settings, trace, client, context).catch((error: unknown) => {
          subject = undefined;
          throw error;
        });
        return runOnce(settings, await subject, client, context, (created) => {
          claimScenarioRuns(scenarioRuns, created);
          started.set(context.change.gateKey, { client, created });
        });
      },
      async explain(context) {
        const { log } = context;
        const run = started.get(context.change.gateKey);
        if (!run) return undefined;
        if (!run.client.hasProject) {
          log.info(
            "Why the verdict failed is read from the run's events, which need `project_id`; set it to see them.",
          );
          return undefined;
        }
        return log.group('Why it failed', () => explainFailure(run.client, run.created, log));
      },
    };
  },
};

/** What every run of the gate evaluates: the campaign and the trace (none for a batch). */
interface Subject {
  campaignId: string;
  traceId?: string;
}

type Settings = SepuruxInputs & {
  token: string;
  min_coverage: number;
  confidence?: number;
  onInconclusive: 'warn' | 'fail';
};

/** Finds the campaign, then uploads the trace: a wrong campaign name must not cost an upload and leave an orphan trace. */
async function resolveSubject(
  inputs: Settings,
  trace: TraceFile | undefined,
  client: SepuruxClient,
  context: BackendContext,
): Promise<Subject> {
  const { log } = context;
  let campaignId = inputs.campaign_id;
  if (campaignId === undefined && inputs.campaign_name !== undefined) {
    const name = inputs.campaign_name;
    campaignId = await log.group('Find campaign', async () => {
      const id = await client.findCampaignId(name);
      log.info(`Campaign "${name}" is ${id}`);
      return id;
    });
  }
  if (campaignId === undefined)
    throw new Error('unreachable: input rules require campaign_name or campaign_id');
  context.learned({ campaign_id: campaignId });

  let traceId = inputs.trace_id;
  if (trace) {
    traceId = await log.group('Upload trace', async () => {
      log.info(`Uploading ${trace.path} (${formatBytes(trace.bytes.length)})`);
      const id = await client.uploadTrace(trace.bytes);
      log.info(`Trace uploaded: ${id}`);
      return id;
    });
  }
  context.learned({ trace_id: traceId });
  return { campaignId, ...(traceId ? { traceId } : {}) };
}

/** Starts one CI run (or batch) of the subject and polls it to its verdict. */
async function runOnce(
  inputs: Settings,
  subject: Subject,
  client: SepuruxClient,
  context: BackendContext,
  onStarted: (created: RunCreated) => void,
) {
  const { log, change } = context;
  const { campaignId, traceId } = subject;
  const thresholds = sepuruxThresholds(inputs, false);
  const created = await log.group('Start CI run', async () => {
    const run = await client.createRun(
      {
        ...(traceId ? { trace_id: traceId } : {}),
        campaign_id: campaignId,
        thresholds: Object.fromEntries(thresholds.map((t) => [t.input, t.limit])),
        repo: change.repository,
        ...(change.pullRequestNumber ? { pull_request_number: change.pullRequestNumber } : {}),
        ...(change.commitSha ? { commit_sha: change.commitSha } : {}),
      },
      change.gateKey,
    );
    log.info(
      run.ci_batch_id
        ? `Batch ${run.ci_batch_id} started: ${run.trace_count ?? run.run_ids?.length ?? '?'} scenario runs`
        : `CI run ${run.run_id} started`,
    );
    return run;
  });
  onStarted(created);
  const batchId = created.ci_batch_id ?? undefined;
  const ids = {
    trace_id: traceId,
    campaign_id: campaignId,
    run_id: created.run_id,
    batch_id: batchId,
  };
  context.learned(ids);

  const startedTraces = batchId ? startedTraceCount(created) : undefined;
  const final = await log.group('Wait for the verdict', () => {
    const polled: PolledResource = batchId
      ? { call: 'GET /v1/ci/batch/{batch_id}', field: 'batch_id', id: batchId }
      : { call: 'GET /v1/ci/runs/{run_id}', field: 'run_id', id: created.run_id };
    return pollUntilTerminal<Progress>({
      what: batchId ? `batch ${batchId}` : `CI run ${created.run_id}`,
      fetch: () => (batchId ? client.getBatch(batchId) : client.getRun(created.run_id)),
      state: (answer) => progressState(answer, polled),
      deadline: context.deadline,
      maxIntervalMs: context.pollIntervalMs,
      log: (line) => log.info(line),
    });
  });
  const judged =
    inputs.confidence === undefined
      ? undefined
      : { confidence: inputs.confidence, onInconclusive: inputs.onInconclusive };
  return toEvaluation(
    final,
    ids,
    sepuruxThresholds(inputs, batchId !== undefined),
    startedTraces,
    judged,
  );
}

/**
 * Records the scenario runs a batch started, failing closed on one another batch of this gate
 * already started: repeats whose batches share scenario runs are not independent samples,
 * however distinct their batch ids.
 */
function claimScenarioRuns(claimed: Map<string, string>, created: RunCreated): void {
  const batch = created.ci_batch_id;
  if (!batch) return;
  for (const run of created.run_ids ?? []) {
    const owner = claimed.get(run);
    if (owner !== undefined && owner !== batch)
      throw new BackendCallError(
        'POST /v1/ci/runs',
        `POST /v1/ci/runs started batch "${excerpt(batch, 80)}" with scenario run "${excerpt(run, 80)}", already a run of batch "${excerpt(owner, 80)}": one run pooled twice is not two samples, so the gate fails closed.`,
      );
    claimed.set(run, batch);
  }
}

/** How many traces a batch started, when run creation said; a count that contradicts its own list fails the gate. */
function startedTraceCount(created: RunCreated): number | undefined {
  const listed = created.run_ids?.length;
  const counted = created.trace_count ?? undefined;
  if (listed !== undefined && counted !== undefined && listed !== counted) {
    throw new BackendCallError(
      'POST /v1/ci/runs',
      `POST /v1/ci/runs said it started ${counted} traces but listed ${listed} runs; the batch cannot be judged, so the gate fails closed.`,
    );
  }
  return counted ?? listed;
}

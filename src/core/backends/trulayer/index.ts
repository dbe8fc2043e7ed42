import { BackendCallError, InputError, messageOf } from '../../support/errors.js';
import { type ErrorBars, intervalOf } from '../../support/stats.js';
import { errorBars } from './error-bars.js';
import { excerpt } from '../../support/text.js';
import { parseInputs, type RawInputs } from '../../inputs/fields.js';
import { pollUntilTerminal } from '../../support/poll.js';
import type { Decision, Evaluation, Threshold } from '../../verdict/verdict.js';
import type { Backend, BackendContext, PreparedGate } from '../types.js';
import { TruLayerClient } from './client.js';
import { TRULAYER_RULES, TruLayerInputs } from './inputs.js';
import { TRULAYER_FIGURES, TRULAYER_IDS, TRULAYER_THRESHOLDS } from './vocabulary.js';
import { type EvalRun, sameId } from './schemas.js';
import {
  itemCoverage,
  notEvaluated,
  type ScoredItems,
  scoredItems,
  uncovered,
} from './coverage.js';

/** The TruLayer inputs with the shared ones the gate reads. */
type TruLayerSettings = TruLayerInputs & {
  token: string;
  min_coverage: number;
  confidence?: number;
  on_inconclusive: 'warn' | 'fail';
};

const DECISIONS: Record<'pass' | 'warn' | 'block', Decision> = {
  pass: 'pass',
  warn: 'warn',
  block: 'fail',
};

/** TruLayer: schedule (or pick) an eval run, follow it to completion, ask `/v1/ci/gate`. */
export const trulayer: Backend = {
  id: 'trulayer',
  displayName: 'TruLayer',
  evaluates: {
    kind: 'service',
    defaultBaseUrl: 'https://api.trulayer.ai',
    credential: 'an API key',
  },
  defaultCheckName: 'TruLayer Eval Gate',
  intervals: 'intervals of the per-item scores',
  missingBaseline: '`delta_tolerance` with no baseline run found',
  inputs: TruLayerInputs,
  figures: TRULAYER_FIGURES,
  ids: TRULAYER_IDS,
  thresholds: TRULAYER_THRESHOLDS,
  drops: [],
  headlineFigure: 'mean_score',
  alternatives: [['eval_version_id', 'eval_run_id']],
  comparable: [
    { name: 'dataset', label: 'dataset', from: { input: 'dataset_id' } },
    { name: 'eval_version', label: 'eval version', from: { input: 'eval_version_id' } },
  ],
  async prepare(
    raw: RawInputs,
    { token, confidence, onInconclusive, repeats, minCoverage },
  ): Promise<PreparedGate> {
    const inputs = parseInputs(TruLayerInputs, raw, TRULAYER_RULES);
    if (repeats !== 1 && inputs.eval_run_id) {
      throw new InputError(
        'Input `repeats` runs the evaluation again for each repeat, but `eval_run_id` gates one eval run that exists; use `eval_version_id` to schedule the repeats, or remove `repeats`.',
      );
    }
    // Repeats schedule one at a time: a lost answer is recovered by listing the dataset's runs
    // before and after, which must not see another repeat's new run in between.
    let scheduling: Promise<unknown> = Promise.resolve();
    const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
      const turn = scheduling.then(work, work);
      scheduling = turn.catch(() => undefined);
      return turn;
    };
    return {
      run: (context) =>
        gateEvalRun(
          {
            ...inputs,
            token,
            confidence,
            on_inconclusive: onInconclusive,
            min_coverage: minCoverage,
          },
          context,
          oneAtATime,
        ),
      // An eval run that exists is read again by another attempt, never started again.
      restartable: inputs.eval_run_id === undefined,
    };
  },
};

async function gateEvalRun(
  inputs: TruLayerSettings,
  context: BackendContext,
  oneAtATime: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<Evaluation> {
  const { log } = context;
  const client = new TruLayerClient(context, inputs.token);
  // Input rules guarantee these; the checks narrow the types.
  const datasetId = inputs.dataset_id ?? '';
  let runId = inputs.eval_run_id ?? '';
  if (inputs.eval_version_id) {
    const versionId = inputs.eval_version_id;
    runId = await log.group('Schedule eval run', async () => {
      const run = await oneAtATime(() => client.scheduleRun(datasetId, versionId));
      log.info(`Eval run ${run.id} scheduled on dataset ${datasetId} (${run.item_count} items).`);
      return run.id;
    });
  }
  context.learned({ run_id: runId });

  const run = await log.group('Wait for the eval run', () =>
    pollUntilTerminal<EvalRun>({
      what: `eval run ${runId}`,
      fetch: () => client.getRun(runId),
      state: (r) => {
        if (r.id !== runId) {
          throw new BackendCallError(
            'GET /v1/eval-runs/{id}',
            `GET /v1/eval-runs/{id} was asked about eval run "${runId}" and answered about "${excerpt(r.id)}"; the gate fails closed.`,
          );
        }
        // A run of another dataset or eval version is not an evaluation of this one: its scores
        // would pass or fail the wrong thing, and its record would mislead the base branch's history.
        const drift = [
          !sameId(r.dataset_id, datasetId)
            ? `dataset "${excerpt(r.dataset_id)}", not "${datasetId}"`
            : '',
          inputs.eval_version_id && !sameId(r.eval_version_id, inputs.eval_version_id)
            ? `eval version "${excerpt(r.eval_version_id)}", not "${inputs.eval_version_id}"`
            : '',
        ].filter(Boolean);
        if (drift.length > 0)
          throw new BackendCallError(
            'GET /v1/eval-runs/{id}',
            `GET /v1/eval-runs/{id} answered that eval run "${runId}" is of ${drift.join(' and ')}; the gate fails closed.`,
          );
        return {
          terminal: r.status === 'completed' || r.status === 'failed',
          status: r.status,
          progress: `${r.completed_count}/${r.item_count} items`,
        };
      },
      deadline: context.deadline,
      maxIntervalMs: context.pollIntervalMs,
      log: (line) => log.info(line),
    }),
  );
  // A run that failed, or that scored fewer items than `min_coverage` asks, evaluated nothing the
  // gate can judge: an error, never a sample. `completed_count` says first; the export then says
  // which of the items it completed have a score (contract section 10: a null score is unscored).
  const unfinished =
    run.status === 'failed'
      ? `the eval run failed: ${run.error_message || 'TruLayer gave no error message'}`
      : uncovered(run, inputs.min_coverage);
  if (unfinished) return notEvaluated(run, unfinished, run.completed_count);
  const scored = await log.group('Read which items were scored', () =>
    readScoredItems(client, run, log),
  );
  const why = uncovered(run, inputs.min_coverage, scored);
  if (why) return notEvaluated(run, why, scored.scored);
  const coverage = itemCoverage(scored.scored, run.item_count);

  const baselineId = await resolveBaseline(inputs, context);
  // Without a baseline run, `delta_tolerance` has nothing to compare with: it is not sent, and `on_missing_baseline` decides it.
  const policy = {
    score_floor: inputs.score_floor,
    delta_tolerance: baselineId ? inputs.delta_tolerance : undefined,
    on_fail: inputs.on_fail,
  };
  const gate = await log.group('Ask the CI gate', async () => {
    const answer = await client.gate({
      dataset_id: datasetId,
      run_id: runId,
      ...(baselineId ? { baseline_run_id: baselineId } : {}),
      policy: Object.fromEntries(
        Object.entries(policy).filter(([, value]) => value !== undefined),
      ) as typeof policy,
    });
    log.info(`Gate decision: ${answer.decision} (${answer.reason})`);
    return answer;
  });
  const bars = baselineId
    ? await readErrorBars(client, runId, baselineId, inputs.confidence ?? 0.95, scored, log)
    : undefined;
  return {
    decision: DECISIONS[gate.decision],
    status: run.status,
    reason: gate.reason,
    ids: { run_id: runId },
    dashboardUrl: gate.run_url,
    figures: {
      mean_score: gate.mean_score,
      ...(gate.mean_delta != null ? { mean_delta: gate.mean_delta } : {}),
      item_coverage_pct: coverage,
    },
    thresholds: trulayerThresholds(
      inputs,
      inputs.confidence === undefined ? undefined : bars,
      baselineId
        ? undefined
        : {
            why: 'no eval run of the base branch to compare with (`baseline_run_id: auto`)',
            decides: context.onMissingBaseline,
            by: 'on_missing_baseline',
          },
    ),
    topFailingTools: [],
    ...(bars ? { errorBars: bars } : {}),
  };
}

/** The export of a completed run, read: which items have a score, said in the log. */
async function readScoredItems(
  client: TruLayerClient,
  run: EvalRun,
  log: BackendContext['log'],
): Promise<ScoredItems> {
  const scored = scoredItems(await client.exportRun(run.id), run.id);
  const unscored = run.item_count - scored.scored;
  log.info(
    `The export scores ${scored.scored} of the eval run's ${run.item_count} items` +
      (unscored > 0 ? `; ${unscored} have no score, and are left out of every mean.` : '.'),
  );
  return scored;
}

/** The baseline eval run: the one given, or with `auto` the base branch's, where the front door can read it back. */
async function resolveBaseline(
  inputs: TruLayerSettings,
  context: BackendContext,
): Promise<string | undefined> {
  if (inputs.baseline_run_id !== 'auto') return inputs.baseline_run_id;
  const found = await context.baselineRunId?.().catch(() => undefined);
  context.log.info(
    found
      ? `Baseline: eval run ${found}, the base branch's (baseline_run_id: auto).`
      : `Baseline: no eval run of the base branch to compare with (baseline_run_id: auto); \`delta_tolerance\` compares nothing, and on_missing_baseline (${context.onMissingBaseline}) decides it.`,
  );
  return found;
}

/**
 * Error bars from the per-item diff, without the items the export left unscored (whatever score
 * the diff gives them); a diff that cannot be read is one log line, not a failed gate.
 */
async function readErrorBars(
  client: TruLayerClient,
  runId: string,
  baselineId: string,
  confidence: number,
  scored: ScoredItems,
  log: BackendContext['log'],
): Promise<ErrorBars | undefined> {
  try {
    return errorBars(await client.diff(runId, baselineId), confidence, scored.unscored);
  } catch (error) {
    log.info(`No per-item scores to put error bars on: ${messageOf(error)}`);
    return undefined;
  }
}

/**
 * The policy the gate re-checks; a breach decides what `on_fail` says. With `confidence`, each
 * bound is judged on the interval of its figure (when the per-item scores give one).
 */
function trulayerThresholds(
  inputs: TruLayerSettings,
  bars: ErrorBars | undefined,
  noBaseline: Threshold['unmeasured'],
): Threshold[] {
  const breaks = inputs.on_fail === 'warn' ? 'warn' : 'fail';
  return TRULAYER_THRESHOLDS.flatMap((spec) => {
    const limit = inputs[spec.input as 'score_floor' | 'delta_tolerance'];
    const interval = intervalOf(bars, spec.figure);
    // Only the delta compares with a baseline; without one it is judged by `on_missing_baseline`.
    const unmeasured = spec.figure === 'mean_delta' && noBaseline ? { unmeasured: noBaseline } : {};
    return limit === undefined
      ? []
      : [
          {
            ...spec,
            limit,
            breaks,
            ...unmeasured,
            ...(interval ? { interval, onInconclusive: inputs.on_inconclusive } : {}),
          },
        ];
  });
}

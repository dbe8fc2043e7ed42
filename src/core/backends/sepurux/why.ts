import { messageOf } from '../../support/errors.js';
import { type Finding, groupFindings, type Why } from '../../verdict/why.js';
import type { GateLog } from '../types.js';
import type { SepuruxClient } from './client.js';
import { readEvents } from './events.js';
import type { RunCreated } from './schemas.js';

/** Runs of a batch looked at to find the failing ones, and failing runs whose events are read. */
const BATCH_RUNS_EXAMINED = 20;
const RUNS_EXPLAINED = 3;
const SOURCES = ['policy', 'security'] as const;

/**
 * Why a Sepurux verdict failed: the policy and security events of the CI run, or of the worst
 * few failing runs of a batch (one request per endpoint per run). Anything that cannot be
 * read (a 403 or 404, an odd shape) is one log line and no section.
 */
export async function explainFailure(
  client: SepuruxClient,
  created: RunCreated,
  log: GateLog,
): Promise<Why | undefined> {
  const runs = created.ci_batch_id
    ? await worstFailingRuns(client, created.run_ids ?? [], log)
    : [created.run_id];
  if (runs.length === 0) return undefined;
  const read = await Promise.all(
    runs.flatMap((run) => SOURCES.map((source) => eventsOf(client, run, source, log))),
  );
  const findings = read.flat();
  if (findings.length === 0) return undefined;
  log.info(
    `Read ${findings.length} event${findings.length === 1 ? '' : 's'} of ${runs.length === 1 ? `run ${runs[0]}` : `${runs.length} failing runs`}.`,
  );
  return { runs, groups: groupFindings(findings), findings };
}

async function eventsOf(
  client: SepuruxClient,
  run: string,
  source: (typeof SOURCES)[number],
  log: GateLog,
): Promise<Finding[]> {
  try {
    const events = readEvents(await client.runEvents(run, source), run, source);
    if (events === undefined)
      log.info(
        `The ${source} events of run ${run} are in a shape the gate cannot read; no "why" from them.`,
      );
    return events ?? [];
  } catch (error) {
    log.info(`No ${source} events for run ${run}: ${messageOf(error)}`);
    return [];
  }
}

/** The failing runs of a batch, worst first (most unsafe attempts, then failures, then the lowest pass rate). */
async function worstFailingRuns(
  client: SepuruxClient,
  runIds: readonly string[],
  log: GateLog,
): Promise<string[]> {
  const answers = await Promise.all(
    runIds.slice(0, BATCH_RUNS_EXAMINED).map((id) => client.getRun(id).catch(() => undefined)),
  );
  const failing = answers.filter(
    (answer): answer is NonNullable<typeof answer> =>
      answer !== undefined && (answer.decision ?? answer.status).toLowerCase() !== 'pass',
  );
  if (failing.length === 0)
    log.info(
      `None of the first ${Math.min(runIds.length, BATCH_RUNS_EXAMINED)} runs of the batch says it failed; no "why" to read.`,
    );
  return failing
    .sort(
      (a, b) =>
        (b.unsafe_attempts ?? 0) - (a.unsafe_attempts ?? 0) ||
        (b.failures ?? 0) - (a.failures ?? 0) ||
        (a.pass_rate ?? 1) - (b.pass_rate ?? 1),
    )
    .slice(0, RUNS_EXPLAINED)
    .map((answer) => answer.run_id);
}

import type { GateLog } from '../../core/log.js';
import { type BaselineRecord, decodeRecord } from '../../core/baseline.js';
import { messageOf } from '../../core/errors.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';

/** The base commit's verdict, or why there is none (said in one line). */
export type BaselineLookup = { record: BaselineRecord; missing?: undefined } | { record?: undefined; missing: string };

/**
 * Reads the base branch's last verdict back from this gate's own check on the base commit: the
 * newest completed check run named `checkName`, created by the same GitHub App as this gate's
 * check, whose record validates. One request. A check by another app, a record that does not
 * parse or names another check, a forbidden or failing look-up: no baseline (the debug log
 * says why), never a failed gate.
 */
export async function findBaseline(
  github: GitHub,
  place: { owner: string; repo: string; baseSha: string; checkName: string },
  appSlug: string | undefined,
  log: GateLog,
): Promise<BaselineLookup> {
  const found = await recordOn(github, { ...place, sha: place.baseSha }, appSlug, log);
  if (found.record) log.info(`Baseline: the base commit ${place.baseSha.slice(0, 12)} was judged ${found.record.decision}.`);
  return found;
}

/**
 * This gate's verdict on commit `sha`, read from its newest completed check run there that the
 * same GitHub App created and whose record validates and names this check and commit; or why
 * there is none. One request; never throws.
 */
export async function recordOn(
  github: GitHub,
  place: { owner: string; repo: string; sha: string; checkName: string },
  appSlug: string | undefined,
  log: GateLog,
): Promise<BaselineLookup> {
  const { owner, repo, sha, checkName } = place;
  const short = sha.slice(0, 12);
  try {
    const { data } = await github.rest.checks.listForRef({ owner, repo, ref: sha, check_name: checkName, filter: 'latest', per_page: 20 });
    const completed = data.check_runs.filter((run) => run.status === 'completed').sort((a, b) => (b.completed_at ?? '').localeCompare(a.completed_at ?? ''));
    for (const run of completed) {
      if (!appSlug || run.app?.slug !== appSlug) {
        log.debug(`Check run ${run.id} on ${short} was created by ${run.app?.slug ?? 'an unknown app'}, not ${appSlug ?? 'this gate'}; ignored.`);
        continue;
      }
      const record = decodeRecord(run.output?.text);
      if (typeof record === 'string') {
        log.debug(`Check run ${run.id} on ${short}: ${record}; ignored.`);
        continue;
      }
      if (record.checkName !== checkName || record.headSha.toLowerCase() !== sha.toLowerCase()) {
        log.debug(`Check run ${run.id} on ${short} holds a record for "${record.checkName}" on ${record.headSha.slice(0, 12)}; ignored.`);
        continue;
      }
      return { record };
    }
    return { missing: `the base commit ${short} has no verdict of "${checkName}" from this gate` };
  } catch (error) {
    return { missing: `the look-up on ${short} failed (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})` };
  }
}

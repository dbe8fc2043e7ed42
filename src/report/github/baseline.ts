import type { GateLog } from '../../core/support/log.js';
import { type BaselineRecord } from '../../core/baseline/compare.js';
import { decodeRecord } from '../../core/baseline/encode.js';
import { messageOf } from '../../core/support/errors.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';

/** The base commit's verdict, or why there is none (said in one line). */
export type BaselineLookup =
  | { record: BaselineRecord; older?: BaselineRecord[]; missing?: undefined; givenUp?: undefined }
  | {
      record?: undefined;
      older?: undefined;
      missing: string;
      /** The look-up was abandoned: no answer in time. */ givenUp?: boolean;
    };

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
  if (found.record)
    log.info(
      // Found is not yet compared: whether it is of the same campaign or dataset is judged after the run.
      `Base commit ${place.baseSha.slice(0, 12)}: this gate's verdict there was ${found.record.decision}; it is the baseline if it evaluated the same thing.`,
    );
  else if (found.givenUp) log.info(`Baseline: ${found.missing}; the gate goes on without it.`);
  return found;
}

/**
 * This gate's verdicts on commit `sha`, newest first: the newest completed check run there that
 * the same GitHub App created and whose record validates and names this check and commit, and
 * the older such runs (`older`), so that a newer verdict of something else (another gate left on
 * the same `check_name`) cannot hide one that compares; or why there is none. One request per
 * hundred runs; never throws.
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
    // Every run of that name, not GitHub's `latest` (one per check suite): two gates of one workflow share a suite.
    const runs = await github.paginate(github.rest.checks.listForRef, {
      owner,
      repo,
      ref: sha,
      check_name: checkName,
      filter: 'all',
      per_page: 100,
    });
    const completed = runs
      .filter((run) => run.status === 'completed')
      .sort((a, b) => (b.completed_at ?? '').localeCompare(a.completed_at ?? ''));
    const records: BaselineRecord[] = [];
    // This gate's checks there: one without a record had no evaluated verdict (it could not evaluate).
    let ours = 0;
    for (const run of completed) {
      if (!appSlug || run.app?.slug !== appSlug) {
        log.debug(
          `Check run ${run.id} on ${short} was created by ${run.app?.slug ?? 'an unknown app'}, not ${appSlug ?? 'this gate'}; ignored.`,
        );
        continue;
      }
      ours++;
      const record = decodeRecord(run.output?.text);
      if (typeof record === 'string') {
        log.debug(`Check run ${run.id} on ${short}: ${record}; ignored.`);
        continue;
      }
      if (record.checkName !== checkName || record.headSha.toLowerCase() !== sha.toLowerCase()) {
        log.debug(
          `Check run ${run.id} on ${short} holds a record for "${record.checkName}" on ${record.headSha.slice(0, 12)}; ignored.`,
        );
        continue;
      }
      records.push(record);
    }
    const [newest, ...older] = records;
    if (newest) return { record: newest, ...(older.length > 0 ? { older } : {}) };
    if (ours > 0)
      return {
        missing: `this gate's "${checkName}" on the base commit ${short} has no evaluated verdict (it could not evaluate, or was cancelled)`,
      };
    return { missing: `the base commit ${short} has no verdict of "${checkName}" from this gate` };
  } catch (error) {
    // A call that timed out, or ran out of the look-ups' time, was given up: no answer is no verdict either way.
    if ((error as Error).name === 'AbortError')
      return {
        missing: `the look-up on ${short} was given up (${messageOf(error)})`,
        givenUp: true,
      };
    return {
      missing: `the look-up on ${short} failed (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})`,
    };
  }
}

import type { BaselineRecord } from '../../../core/baseline/record.js';
import { decodeRecord } from '../../../core/baseline/encode.js';
import { messageOf } from '../../../core/support/errors.js';
import type { GitHub } from '../octokit.js';
import { statusOf } from '../status.js';

/** This gate's completed verdict on a commit, as its newest check run there holds it. */
export interface HeadVerdict {
  checkRunId: number;
  /** The GitHub App that created the check run. */
  app: string;
  conclusion: string;
  title: string;
  summary: string;
  record: BaselineRecord;
}

/**
 * This gate's verdict on `headSha`: the newest check run named `checkName` there. Only a
 * completed run whose record validates and names this check and this commit is a verdict; a
 * newer run still in progress means the gate is still deciding, and a newer completed run
 * without a record (an input error, a run that could not evaluate, a cancelled one) holds no
 * verdict to accept. One request; says why there is none, never throws.
 */
export async function readHeadVerdict(
  github: GitHub,
  place: { owner: string; repo: string; headSha: string; checkName: string },
): Promise<HeadVerdict | { none: string } | { unread: string }> {
  const { owner, repo, headSha, checkName } = place;
  const short = headSha.slice(0, 12);
  try {
    const { data } = await github.rest.checks.listForRef({
      owner,
      repo,
      ref: headSha,
      check_name: checkName,
      filter: 'all',
      per_page: 100,
    });
    const runs = data.check_runs
      .filter((run) => run.name === checkName)
      .sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? '') || b.id - a.id);
    if (runs.some((run) => run.status !== 'completed'))
      return { none: `the gate "${checkName}" is still running on ${short}` };
    const newest = runs[0];
    if (!newest) return { none: `the head commit ${short} has no check "${checkName}"` };
    const record = decodeRecord(newest.output?.text);
    if (
      typeof record === 'string' ||
      record.checkName !== checkName ||
      record.headSha.toLowerCase() !== headSha.toLowerCase()
    )
      return {
        none: `the newest check "${checkName}" on ${short} holds no evaluated verdict (an input error, a run that could not evaluate, or a cancelled one)`,
      };
    return {
      checkRunId: newest.id,
      app: newest.app?.slug ?? '',
      conclusion: newest.conclusion ?? '',
      title: newest.output?.title ?? '',
      summary: newest.output?.summary ?? '',
      record,
    };
  } catch (error) {
    return {
      unread: `the checks on ${short} could not be read (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})`,
    };
  }
}

import type { BaselineRecord } from '../../../core/baseline/record.js';
import { decodeRecord } from '../../../core/baseline/encode.js';
import { messageOf } from '../../../core/support/errors.js';
import type { GitHub } from '../octokit.js';
import { statusOf } from '../status.js';

/**
 * The hidden line in the text of a check a refused command had to begin (to learn its app) and
 * completed without a verdict: later commands and look-ups pass over it to the verdict beneath.
 */
export const REFUSAL_MARK = '<!-- agent-reliability-gate-refused-command -->';

/** This gate's completed verdict on a commit, as its newest check run there holds it. */
export interface HeadVerdict {
  checkRunId: number;
  /** Every run of this check on the commit, newest first: which app wrote each, and its conclusion. */
  runs: { id: number; app: string; status: string; conclusion: string }[];
  /** The GitHub App that created the check run. */
  app: string;
  conclusion: string;
  title: string;
  summary: string;
  record: BaselineRecord;
}

/**
 * This gate's verdict on `headSha`: the newest check run named `checkName` there (every page
 * read; newest by creation). Only a
 * completed run whose record validates and names this check and this commit is a verdict; a
 * newer run still in progress means the gate is still deciding, and a newer completed run
 * without a record (an input error, a run that could not evaluate, a cancelled one) holds no
 * verdict to accept. Says why there is none, never throws.
 */
export async function readHeadVerdict(
  github: GitHub,
  place: { owner: string; repo: string; headSha: string; checkName: string },
): Promise<HeadVerdict | { none: string } | { unread: string }> {
  const { headSha, checkName } = place;
  const short = headSha.slice(0, 12);
  try {
    const runs = await listCheckRuns(github, place);
    if (runs.some((run) => run.status !== 'completed'))
      return {
        none: `the gate "${checkName}" is still running on ${short}: comment again once it has finished`,
      };
    const newest = runs[0];
    if (!newest) {
      const others = await checkNamesOn(github, place);
      return {
        none:
          others && others.length > 0
            ? `the head commit ${short} has no check "${checkName}", this step's \`check_name\`; the checks there are ${quotedNames(others)}: set \`check_name\` (or \`backend\`) to the gate step's`
            : `the head commit ${short} has no check "${checkName}" yet: its gate has not run there (the head may have moved since); comment again once it has`,
      };
    }
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
      runs: runs.map(briefly),
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

/** A run of the check, as the acceptance weighs it. */
const briefly = (run: {
  id: number;
  app?: { slug?: string } | null;
  status: string;
  conclusion?: string | null;
}) => ({
  id: run.id,
  app: run.app?.slug ?? '',
  status: run.status,
  conclusion: run.conclusion ?? '',
});

/**
 * Every run of check `checkName` on `headSha`, newest first as GitHub orders them (by creation,
 * the ids, not by a runner's clock), every page read: a gate still running must not hide past
 * the first hundred runs. A refused command's check (its text holds {@link REFUSAL_MARK}) is
 * left out. Throws what GitHub answered.
 */
async function listCheckRuns(
  github: GitHub,
  place: { owner: string; repo: string; headSha: string; checkName: string },
) {
  const listed = await github.paginate(github.rest.checks.listForRef, {
    owner: place.owner,
    repo: place.repo,
    ref: place.headSha,
    check_name: place.checkName,
    filter: 'all',
    per_page: 100,
  });
  // A refused command's own check holds no verdict and is no gate run: the verdict is beneath it.
  return listed
    .filter((run) => run.name === place.checkName)
    .filter((run) => !(run.status === 'completed' && run.output?.text?.includes(REFUSAL_MARK)))
    .sort((a, b) => b.id - a.id);
}

/** Every run of the check on the commit, briefly, newest first; undefined when they could not be read. */
export async function readCheckRuns(
  github: GitHub,
  place: { owner: string; repo: string; headSha: string; checkName: string },
): Promise<HeadVerdict['runs'] | undefined> {
  try {
    return (await listCheckRuns(github, place)).map(briefly);
  } catch {
    return undefined;
  }
}

/** The names of the checks on a commit, each once, in GitHub's order; undefined when they could not be read. */
export async function checkNamesOn(
  github: GitHub,
  place: { owner: string; repo: string; headSha: string },
): Promise<string[] | undefined> {
  try {
    const runs = await github.paginate(github.rest.checks.listForRef, {
      owner: place.owner,
      repo: place.repo,
      ref: place.headSha,
      filter: 'latest',
      per_page: 100,
    });
    return [...new Set(runs.map((run) => run.name))];
  } catch {
    return undefined;
  }
}

/** Check names as a reply lists them: quoted, the first 20, the rest counted. */
export function quotedNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((name) => `"${name}"`);
  return names.length > 20 ? `${shown.join(', ')} and ${names.length - 20} more` : shown.join(', ');
}

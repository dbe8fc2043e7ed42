import { z } from 'zod';
import type { HistoryEntry } from '../../core/baseline/history.js';
import type { GateLog } from '../../core/support/log.js';
import { messageOf } from '../../core/support/errors.js';
import { recordOn } from './baseline.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';

/** Pages of commits read at most to find the branch's own line of `history` commits. */
const MAX_COMMIT_PAGES = 3;

/** Check-run look-ups at once: the history is read beside the backend's work, gently. */
export const HISTORY_CONCURRENCY = 4;

const Commits = z.array(
  z.object({
    sha: z.string().regex(/^[0-9a-f]{40}$/i),
    parents: z.array(z.object({ sha: z.string() })),
  }),
);

/**
 * This gate's verdicts on the base branch's last `count` commits, newest first, from `baseSha`
 * back along its first parents (the branch's own line: merged feature commits are not its
 * verdicts). One request for the commits (up to three where merged commits crowd the branch's
 * own), then one per commit, four at a time: `count + 1` requests as a rule, all within the
 * GitHub budget. A failing look-up is an entry without a record (or
 * no history at all), said once; never a failed gate.
 */
export async function findHistory(
  github: GitHub,
  place: { owner: string; repo: string; baseSha: string; checkName: string; count: number },
  appSlug: string | undefined,
  log: GateLog,
): Promise<HistoryEntry[]> {
  const { owner, repo, baseSha, checkName, count } = place;
  let line: string[] = [];
  try {
    // A page holds the first-parent line and the commits merged into it; more pages only where merges crowd it.
    const perPage = Math.min(100, count * 3);
    const bySha = new Map<string, z.output<typeof Commits>[number]>();
    for (let page = 1; page <= MAX_COMMIT_PAGES; page++) {
      const { data } = await github.rest.repos.listCommits({
        owner,
        repo,
        sha: baseSha,
        per_page: perPage,
        page,
      });
      const commits = Commits.parse(data);
      for (const commit of commits) bySha.set(commit.sha.toLowerCase(), commit);
      line = firstParents(bySha, baseSha, count);
      if (line.length >= count || commits.length < perPage) break;
    }
  } catch (error) {
    log.info(
      `History: the base branch's commits could not be read (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); no history.`,
    );
    return [];
  }
  const entries: HistoryEntry[] = new Array(line.length);
  const givenUp: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < line.length) {
      const index = next++;
      const sha = line[index] as string;
      const found = await recordOn(github, { owner, repo, sha, checkName }, appSlug, log);
      if (found.givenUp) givenUp.push(found.missing ?? '');
      entries[index] = {
        sha,
        ...(found.record
          ? { record: found.record, ...(found.older ? { older: found.older } : {}) }
          : { missing: found.missing }),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(HISTORY_CONCURRENCY, line.length) }, worker));
  if (givenUp.length > 0)
    log.info(
      `History: the look-up was given up on ${givenUp.length} of the ${line.length} commits (${givenUp[0]?.replace(/^the look-up on \S+ was given up \((.*)\)$/, '$1')}); they count as having no verdict.`,
    );
  log.info(
    `History: ${entries.filter((entry) => entry.record).length} of the base branch's last ${line.length} commits hold a verdict of "${checkName}".`,
  );
  return entries;
}

/** The branch's own line from `baseSha` back along first parents, as far as `bySha` reaches, at most `count` commits. */
function firstParents(
  bySha: ReadonlyMap<string, { parents: { sha: string }[] }>,
  baseSha: string,
  count: number,
): string[] {
  const line: string[] = [];
  for (
    let sha: string | undefined = baseSha.toLowerCase();
    sha && line.length < count && bySha.has(sha);
    sha = bySha.get(sha)?.parents[0]?.sha.toLowerCase()
  )
    line.push(sha);
  return line;
}

import type { HistoryEntry } from '../../core/baseline/history.js';
import type { GateLog } from '../../core/support/log.js';
import { type BaselineLookup, findBaseline } from './baseline.js';
import { findHistory } from './history.js';
import type { GitHub } from './octokit.js';

/**
 * Looks up the base commit's verdict and `historyCount` verdicts along the base branch, once
 * the base commit is known (`base`) and the check has named the app whose records count
 * (`appSlug`). A base that is missing, with why, is a missing baseline that says so; no base
 * at all (none looked for) is undefined.
 */
export function lookUpBaseBranch(
  github: GitHub,
  place: { owner: string; repo: string; checkName: string; historyCount: number },
  base: Promise<{ sha?: string; missing?: string }>,
  appSlug: Promise<string | undefined>,
  log: GateLog,
): {
  baseline: Promise<BaselineLookup | undefined>;
  history: Promise<HistoryEntry[] | undefined>;
} {
  const { owner, repo, checkName, historyCount } = place;
  const baseline = base.then(({ sha, missing }) =>
    sha
      ? appSlug.then((app) =>
          findBaseline(github, { owner, repo, baseSha: sha, checkName }, app, log),
        )
      : missing
        ? { missing }
        : undefined,
  );
  const history = base.then(({ sha }) =>
    sha && historyCount > 0
      ? appSlug.then((app) =>
          findHistory(
            github,
            { owner, repo, baseSha: sha, checkName, count: historyCount },
            app,
            log,
          ),
        )
      : undefined,
  );
  return { baseline, history };
}

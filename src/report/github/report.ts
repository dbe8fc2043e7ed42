import type { GateLog } from '../../core/log.js';
import type { Deadline } from '../../core/deadline.js';
import { messageOf } from '../../core/errors.js';
import type { Mode } from '../../core/inputs/common.js';
import { renderVerdict } from '../../core/render/markdown.js';
import type { Verdict } from '../../core/verdict.js';
import { encodeRecord } from '../../core/baseline.js';
import { type BaselineLookup, findBaseline } from './baseline.js';
import { CHECK_SUMMARY_MAX_CHARS, CheckReport } from './check.js';
import { pullRequestHeadMatches } from './handover.js';
import { COMMENT_MAX_CHARS, type CommentPlace, findStickyComment, writeStickyComment } from './comment.js';
import { commentMarker } from '../../core/render/marker.js';

/** Reporting on GitHub for one gate: started before the backend runs, finished with the verdict. */
export interface GitHubReport {
  /** The base branch's last verdict, looked up while the backend works; undefined when not looked for. */
  baseline: Promise<BaselineLookup | undefined>;
  finish(verdict: Verdict): Promise<void>;
}

/** Where and how a gate reports on GitHub. */
export interface GitHubPlace {
  /** Empty turns GitHub reporting off. */
  token?: string;
  /** GitHub's REST API root (`GITHUB_API_URL`). */
  apiUrl: string;
  /** `owner/name`. */
  repository: string;
  /** The commit the check goes on. */
  headSha?: string;
  /** The pull request the sticky comment goes on, when `comment` is on. */
  pullRequestNumber?: number;
  comment: boolean;
  checkName: string;
  mode: Mode;
  /** This workflow run, linked when the backend gives no dashboard. */
  runUrl?: string;
  /** A matrix leg (`shard`): the aggregate step reports for it, so it posts nothing. */
  reportsElsewhere?: boolean;
  /** The base commit whose verdict is read back as the baseline, when `baseline` is on. */
  baselineSha?: string;
  /**
   * On `workflow_run`: the commit GitHub says the triggering run built. The comment goes only
   * on a pull request whose head is this commit (its number may come from an untrusted artifact).
   */
  workflowRunHeadSha?: string;
}

const NOTHING: GitHubReport = { baseline: Promise.resolve(undefined), finish: async () => undefined };

/**
 * Starts the check (in progress) and the lookup of the sticky comment, and returns what
 * finishes both with the verdict; every GitHub call fits in `budget`. Without a token or a
 * commit to report on, it reports nothing on GitHub and says so. Never rejects: main runs it
 * beside the backend.
 */
export async function startGitHubReport(place: GitHubPlace, log: GateLog, budget: Deadline): Promise<GitHubReport> {
  if (place.reportsElsewhere) {
    log.info('This is one shard of a matrix: no check and no comment here; the `aggregate` step reports for every shard.');
    return NOTHING;
  }
  if (!place.token) {
    log.info('No `github_token`: the verdict is reported in the job only (no check, no comment).');
    return NOTHING;
  }
  try {
    const [owner = '', repo = ''] = place.repository.split('/');
    // Octokit is loaded only by a gate that reports on GitHub.
    const { createGitHub } = await import('./octokit.js');
    const github = createGitHub(place.token, place.apiUrl, log, budget);
    const commentPlace: CommentPlace | undefined =
      place.comment && place.pullRequestNumber ? { owner, repo, pullRequestNumber: place.pullRequestNumber, checkName: place.checkName } : undefined;
    if (!place.headSha) log.warning('No commit to attach the check to; set `head_sha`.');
    const checkStarted = place.headSha
      ? CheckReport.start(github, { owner, repo, headSha: place.headSha, name: place.checkName, runUrl: place.runUrl }, log)
      : Promise.resolve(undefined);
    // The check run names the GitHub App the token belongs to: the author of the app's comments.
    const handedOver = commentPlace && place.workflowRunHeadSha ? pullRequestHeadMatches(github, commentPlace, place.workflowRunHeadSha, log) : Promise.resolve(true);
    const found = commentPlace ? handedOver.then((ok) => (ok ? findStickyComment(github, commentPlace, checkStarted.then((c) => c?.appSlug)) : undefined)) : undefined;
    // An early failure of the lookup is reported when the comment is written.
    found?.catch(() => undefined);
    const baseline = place.baselineSha
      ? checkStarted.then((c) => findBaseline(github, { owner, repo, baseSha: place.baselineSha ?? '', checkName: place.checkName }, c?.appSlug, log))
      : Promise.resolve(undefined);
    const check = await checkStarted;
    return {
      baseline,
      async finish(verdict) {
        const render = (maxTools: number, maxChars: number, footer?: string) =>
          renderVerdict(verdict, { title: place.checkName, mode: place.mode, maxTools, maxChars, footer, commitSha: place.headSha, runUrl: place.runUrl });
        await Promise.all([
          // Only an evaluated verdict is a baseline for later changes: an input error or a timeout on the base says nothing of the agent.
          check?.complete(verdict, place.mode, render(20, CHECK_SUMMARY_MAX_CHARS), place.headSha && verdict.outcome === 'evaluated' ? encodeRecord(verdict, place.checkName, place.headSha) : undefined),
          commentPlace && found && (await handedOver)
            ? writeStickyComment(github, commentPlace, render(10, COMMENT_MAX_CHARS, commentMarker(place.checkName)), found, log)
            : undefined,
        ]);
      },
    };
  } catch (error) {
    log.warning(`Reporting on GitHub is off: ${messageOf(error)}. The verdict still decides the step.`);
    return NOTHING;
  }
}

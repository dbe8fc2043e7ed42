import type { GateLog } from '../../core/support/log.js';
import type { Deadline } from '../../core/support/deadline.js';
import { messageOf } from '../../core/support/errors.js';
import type { Mode } from '../../core/inputs/common.js';
import { renderVerdict } from '../../core/render/markdown.js';
import type { TrendStyle } from '../../core/render/trend.js';
import type { Verdict } from '../../core/verdict/verdict.js';
import { boundedRecord } from '../../core/baseline/encode.js';
import type { BaselineLookup } from './baseline.js';
import { lookUpBaseBranch } from './base-branch.js';
import { CHECK_SUMMARY_MAX_CHARS, CheckReport } from './check.js';
import { commentsOnHandOver, handOverBase, readHandOver } from './handover.js';
import type { HistoryEntry } from '../../core/baseline/history.js';
import { type CommitsPlace, commitsOf } from './commits.js';
import { ACTION_WORDS, type ReportingWords } from './words.js';
import {
  COMMENT_MAX_CHARS,
  type CommentPlace,
  findStickyComment,
  writeStickyComment,
} from './comment.js';
import { commentMarker } from '../../core/render/marker.js';

/** Reporting on GitHub for one gate: started before the backend runs, finished with the verdict. */
export interface GitHubReport {
  /** The base branch's last verdict, looked up while the backend works; undefined when not looked for. */
  baseline: Promise<BaselineLookup | undefined>;
  /** The commit the check went on, when there is one. */
  headSha?: string;
  /** This gate's verdicts along the base branch, newest first; undefined when not looked for (`history: 0`, no base). */
  history: Promise<HistoryEntry[] | undefined>;
  finish(verdict: Verdict): Promise<void>;
}

/** Where and how a gate reports on GitHub. */
export interface GitHubPlace extends CommitsPlace {
  /** Empty turns GitHub reporting off. */
  token?: string;
  /** GitHub's REST API root (`GITHUB_API_URL`). */
  apiUrl: string;
  /** `owner/name`. */
  repository: string;
  comment: boolean;
  checkName: string;
  mode: Mode;
  /** This workflow run, linked when the backend gives no dashboard. */
  runUrl?: string;
  /** A matrix leg (`shard`): the aggregate step reports for it, so it posts nothing. */
  reportsElsewhere?: boolean;
  /**
   * On `workflow_run`: the commit GitHub says the triggering run built. The comment goes only
   * on a pull request whose head is this commit (its number may come from an untrusted artifact).
   */
  workflowRunHeadSha?: string;
  /**
   * On `workflow_run` with `baseline: auto`: the base commit is that of the pull request
   * (`pullRequestNumber`) whose head is `workflowRunHeadSha`, read from GitHub; where there is
   * none, the baseline is missing and says why.
   */
  baseOfHandOver?: boolean;
  /** On `workflow_run`: the repository's default branch; the hand-over's pull request must target it to be compared with. */
  defaultBranch?: string;
  /** How many verdicts to read along the base branch from the base commit (`history`); 0 or undefined: none. */
  historyCount?: number;
  /** What warnings tell the user to do, in the door's words (default: the action's). */
  words?: ReportingWords;
}

/** The end of the GitHub budget no look-up may spend: it is for completing the check (and the comment). */
export const COMPLETE_RESERVE_MS = 5_000;

/** How a report spends its budget, beyond the look-ups' bound. */
export interface ReportTiming {
  /**
   * The check's start and the comment's look-up leave the last {@link COMPLETE_RESERVE_MS} of
   * the budget to completing the check: for a report finished at once (an input error). A
   * gate's run needs no such bound: its budget runs `timeout` and a grace past its start.
   */
  reserveCompletion?: boolean;
}
/** How long the base commit's verdict and the history may be looked up, all together. */
export const LOOKUPS_MAX_MS = 30_000;

const NOTHING: GitHubReport = {
  baseline: Promise.resolve(undefined),
  history: Promise.resolve(undefined),
  finish: async () => undefined,
};

/**
 * Starts the check (in progress) and the lookup of the sticky comment, and returns what
 * finishes both with the verdict; every GitHub call fits in `budget`. Without a token or a
 * commit to report on, it reports nothing on GitHub and says so. Never rejects: main runs it
 * beside the backend.
 */
export async function startGitHubReport(
  place: GitHubPlace,
  log: GateLog,
  budget: Deadline,
  timing: ReportTiming = {},
): Promise<GitHubReport> {
  if (place.reportsElsewhere) {
    log.info(
      'This is one shard of a matrix: no check and no comment here; the `aggregate` step reports for every shard.',
    );
    return NOTHING;
  }
  if (!place.token) {
    log.info('No GitHub token: the verdict is reported in the job only (no check, no comment).');
    return NOTHING;
  }
  try {
    const [owner = '', repo = ''] = place.repository.split('/');
    // Octokit is loaded only by a gate that reports on GitHub.
    const { createGitHub } = await import('./octokit.js');
    const github = createGitHub(place.token, place.apiUrl, log, budget);
    // The look-ups of the base branch (its verdict, its history) have a bound of their own, and
    // the end of the budget is reserved for completing the check: a GitHub that hangs on them
    // cannot spend the time the verdict needs to be written.
    const lookupBudget = budget.before(COMPLETE_RESERVE_MS, LOOKUPS_MAX_MS);
    const lookups = createGitHub(
      place.token,
      place.apiUrl,
      log,
      lookupBudget,
      undefined,
      undefined,
      `GitHub did not answer within the ${Math.round(lookupBudget.timeoutMs / 1000)}s the look-ups may take; the rest is kept for completing the check`,
    );
    // Everything before the completion, where the report is finished at once, leaves it its reserved time.
    const starting = timing.reserveCompletion
      ? createGitHub(
          place.token,
          place.apiUrl,
          log,
          budget.before(COMPLETE_RESERVE_MS),
          undefined,
          undefined,
          'GitHub did not answer in time; the rest is kept for completing the check',
        )
      : github;
    const words = place.words ?? ACTION_WORDS;
    const { headSha, baselineSha } = await commitsOf(starting, place, owner, repo, log, words);
    const commentPlace: CommentPlace | undefined =
      place.comment && place.pullRequestNumber
        ? { owner, repo, pullRequestNumber: place.pullRequestNumber, checkName: place.checkName }
        : undefined;
    if (!headSha) log.warning(`No commit to attach the check to; ${words.headSha}.`);
    const checkStarted = headSha
      ? CheckReport.start(
          github,
          { owner, repo, headSha, name: place.checkName, runUrl: place.runUrl },
          log,
          words,
          starting,
        )
      : Promise.resolve(undefined);
    // On workflow_run the pull request named is trusted, for the comment and for the base, only
    // when it is open and its head is the commit gated, and for the base only when it targets
    // the default branch: one read for both.
    const gated = place.workflowRunHeadSha;
    const handOver =
      gated && place.pullRequestNumber && (commentPlace || place.baseOfHandOver)
        ? readHandOver(
            starting,
            { owner, repo, pullRequestNumber: place.pullRequestNumber },
            gated,
            place.defaultBranch,
          )
        : undefined;
    const handedOver =
      commentPlace && gated && handOver
        ? commentsOnHandOver(handOver, commentPlace.pullRequestNumber, gated, log)
        : Promise.resolve(true);
    const base: Promise<{ sha?: string; missing?: string }> = place.baseOfHandOver
      ? handOverBase(handOver, place.pullRequestNumber, gated)
      : Promise.resolve(baselineSha ? { sha: baselineSha } : {});
    // The check run names the GitHub App the token belongs to: the author of the app's comments.
    const found = commentPlace
      ? handedOver.then((ok) =>
          ok
            ? findStickyComment(
                starting,
                commentPlace,
                checkStarted.then((c) => c?.appSlug),
              )
            : undefined,
        )
      : undefined;
    // An early failure of the lookup is reported when the comment is written.
    found?.catch(() => undefined);
    const { baseline, history } = lookUpBaseBranch(
      lookups,
      { owner, repo, checkName: place.checkName, historyCount: place.historyCount ?? 0 },
      base,
      checkStarted.then((c) => c?.appSlug),
      log,
    );
    const check = await checkStarted;
    return {
      baseline,
      history,
      ...(headSha ? { headSha } : {}),
      async finish(verdict) {
        // The comment renders Mermaid; a check run's summary is not known to, so it gets the sparkline.
        const render = (maxTools: number, maxChars: number, trend: TrendStyle, footer?: string) =>
          renderVerdict(verdict, {
            title: place.checkName,
            mode: place.mode,
            maxTools,
            maxChars,
            footer,
            trend,
            commitSha: headSha,
            runUrl: place.runUrl,
            inputWord: words.input,
          });
        // Only an evaluated verdict is a baseline for later changes: an input error or a timeout on the base says nothing of the agent.
        const record =
          headSha && verdict.outcome === 'evaluated'
            ? boundedRecord(verdict, place.checkName, headSha)
            : undefined;
        // What the record left out to fit GitHub's limit is said where a reader of the check looks, and in the log.
        const bounded = record?.said ? `\n\n> ${record.said}` : '';
        // No record at all leaves later changes without a baseline: a warning, where a bounded one is a note.
        if (record?.said && record.text) log.info(record.said);
        else if (record?.said) log.warning(record.said);
        await Promise.all([
          check?.complete(
            verdict,
            place.mode,
            render(20, CHECK_SUMMARY_MAX_CHARS - bounded.length, 'sparkline') + bounded,
            record?.text,
          ),
          commentPlace && found && (await handedOver)
            ? writeStickyComment(
                github,
                commentPlace,
                render(10, COMMENT_MAX_CHARS, 'mermaid', commentMarker(place.checkName)),
                found,
                log,
                words,
              )
            : undefined,
        ]);
      },
    };
  } catch (error) {
    log.warning(
      `Reporting on GitHub is off: ${messageOf(error)}; ${(place.words ?? ACTION_WORDS).decides}.`,
    );
    return NOTHING;
  }
}

import type { GateLog } from '../../core/backends/types.js';
import type { Deadline } from '../../core/deadline.js';
import type { GatePlan } from '../../core/gate.js';
import { createGitHub } from './octokit.js';
import type { Verdict } from '../../core/verdict.js';
import { CHECK_SUMMARY_MAX_CHARS, CheckReport } from './check.js';
import { COMMENT_MAX_CHARS, type CommentPlace, commentMarker, findStickyComment, writeStickyComment } from './comment.js';
import { messageOf } from '../../core/errors.js';
import { renderVerdict } from '../../core/render/markdown.js';

/** Reporting on GitHub for one gate: started before the backend runs, finished with the verdict. */
export interface GitHubReport {
  finish(verdict: Verdict): Promise<void>;
}

const NOTHING: GitHubReport = { finish: async () => undefined };

/**
 * Starts the check (in progress) and the lookup of the sticky comment, and returns what
 * finishes both with the verdict; every GitHub call fits in `budget`. Without a
 * `github_token` or a commit to report on, it reports nothing on GitHub and says so. Never
 * rejects: main runs it beside the backend.
 */
export async function startGitHubReport(plan: GatePlan, log: GateLog, budget: Deadline): Promise<GitHubReport> {
  const { inputs, target } = plan;
  if (!inputs.github_token) {
    log.info('No `github_token`: the verdict is reported in the job only (no check, no comment).');
    return NOTHING;
  }
  try {
    const [owner = '', repo = ''] = target.repository.split('/');
    const github = createGitHub(inputs.github_token, target.apiUrl, log, budget);
    const commentPlace: CommentPlace | undefined =
      inputs.comment && target.pullRequestNumber ? { owner, repo, pullRequestNumber: target.pullRequestNumber, checkName: inputs.checkName } : undefined;
    if (!target.headSha) log.warning('No commit to attach the check to; set `head_sha`.');
    const checkStarted = target.headSha
      ? CheckReport.start(github, { owner, repo, headSha: target.headSha, name: inputs.checkName, runUrl: target.runUrl }, log)
      : Promise.resolve(undefined);
    // The check run names the GitHub App the token belongs to: the author of the app's comments.
    const found = commentPlace ? findStickyComment(github, commentPlace, checkStarted.then((c) => c?.appSlug)) : undefined;
    // An early failure of the lookup is reported when the comment is written.
    found?.catch(() => undefined);
    const check = await checkStarted;
    return {
      async finish(verdict) {
        const render = (maxTools: number, maxChars: number, footer?: string) =>
          renderVerdict(verdict, { title: inputs.checkName, mode: inputs.mode, maxTools, maxChars, footer });
        await Promise.all([
          check?.complete(verdict, inputs.mode, render(20, CHECK_SUMMARY_MAX_CHARS)),
          commentPlace && found
            ? writeStickyComment(github, commentPlace, render(10, COMMENT_MAX_CHARS, commentMarker(inputs.checkName)), found, log)
            : undefined,
        ]);
      },
    };
  } catch (error) {
    log.warning(`Reporting on GitHub is off: ${messageOf(error)}. The verdict still decides the step.`);
    return NOTHING;
  }
}

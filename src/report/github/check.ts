import type { GateLog } from '../../core/support/log.js';
import { messageOf } from '../../core/support/errors.js';
import type { GitHub } from './octokit.js';
import { statusOf } from './status.js';
import type { Mode } from '../../core/inputs/common.js';
import type { Verdict } from '../../core/verdict/verdict.js';
import { checkConclusion, headline, statusState } from './conclusion.js';
import { truncate } from '../../core/support/text.js';
import { escapeText, safeUrl } from '../../core/render/escape.js';
import { ACTION_WORDS, type ReportingWords } from './words.js';

/** Where a check goes: the repository, the commit, its name and a fallback details link. */
export interface CheckPlace {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  /** This workflow run, linked when the backend gives no dashboard. */
  runUrl?: string;
}

/** GitHub's limits: check output summary (and text) 65,535 characters, title 255 (kept shorter), status description 140. */
export const CHECK_SUMMARY_MAX_CHARS = 65_535;
const CHECK_TITLE_MAX_CHARS = 200;
const STATUS_DESCRIPTION_MAX_CHARS = 140;

/**
 * The required check: a check run created `in_progress` when the gate starts and completed
 * with the verdict; a commit status with the same context where the token may not create
 * checks; a warning where it may do neither. Reporting never changes the verdict.
 */
export class CheckReport {
  private constructor(
    private readonly github: GitHub,
    private readonly place: CheckPlace,
    private readonly log: GateLog,
    private readonly kind: 'check' | 'status' | 'none',
    private readonly checkRunId?: number,
    /** The GitHub App that owns the check run, e.g. `github-actions`. */
    readonly appSlug?: string,
    private readonly words: ReportingWords = ACTION_WORDS,
  ) {}

  /**
   * Shows the gate as running on the commit. `startWith` begins it (default `github`, which
   * completes it): a client whose budget leaves the completion its time.
   */
  static async start(
    github: GitHub,
    place: CheckPlace,
    log: GateLog,
    words: ReportingWords = ACTION_WORDS,
    startWith: GitHub = github,
  ): Promise<CheckReport> {
    const { owner, repo, headSha, name, runUrl } = place;
    try {
      const { data } = await startWith.rest.checks.create({
        owner,
        repo,
        name,
        head_sha: headSha,
        status: 'in_progress',
        started_at: new Date().toISOString(),
        ...(runUrl ? { details_url: runUrl } : {}),
        output: {
          title: 'Evaluating',
          summary: "The reliability gate is waiting for the backend's verdict.",
        },
      });
      log.info(`Check "${name}" started on ${headSha}.`);
      return new CheckReport(github, place, log, 'check', data.id, data.app?.slug, words);
    } catch (checkError) {
      log.info(
        `No check run (HTTP ${statusOf(checkError) ?? '-'}: ${messageOf(checkError)}); reporting a commit status "${name}" instead.`,
      );
    }
    try {
      await startWith.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: headSha,
        state: 'pending',
        context: name,
        description: 'Evaluating',
        ...(runUrl ? { target_url: runUrl } : {}),
      });
      return new CheckReport(github, place, log, 'status', undefined, undefined, words);
    } catch (statusError) {
      log.warning(
        `The gate cannot report a check or a commit status on ${headSha} (HTTP ${statusOf(statusError) ?? '-'}: ${messageOf(statusError)}). ` +
          `${words.checkPermission}; ${words.decides}.`,
      );
      return new CheckReport(github, place, log, 'none', undefined, undefined, words);
    }
  }

  /**
   * Completes the check (or sets the status) with the verdict; `text` goes into the check's
   * `output.text` (the hidden record a later gate reads back as its baseline). Never throws.
   */
  async complete(verdict: Verdict, mode: Mode, summary: string, text?: string): Promise<void> {
    const { owner, repo, headSha, name, runUrl } = this.place;
    const link = safeUrl(verdict.dashboardUrl) ?? runUrl;
    const title = truncate(headline(verdict, mode), CHECK_TITLE_MAX_CHARS);
    const completeCheck = (output: { title: string; summary: string; text?: string }) =>
      this.github.rest.checks.update({
        owner,
        repo,
        check_run_id: this.checkRunId as number,
        status: 'completed',
        conclusion: checkConclusion(verdict, mode),
        completed_at: new Date().toISOString(),
        ...(link ? { details_url: link } : {}),
        output,
      });
    try {
      if (this.kind === 'check' && this.checkRunId !== undefined) {
        try {
          await completeCheck({
            title,
            summary: truncate(summary, CHECK_SUMMARY_MAX_CHARS),
            ...(text ? { text } : {}),
          });
        } catch (refused) {
          const status = statusOf(refused);
          if (status !== 422 && status !== 400) throw refused;
          // GitHub refused what the check would show, not the verdict: a required check left in progress blocks the merge for ever.
          this.log.warning(
            `GitHub refused the check "${name}" as written (HTTP ${status}: ${messageOf(refused)}); completing it with a short summary and no record.`,
          );
          await completeCheck({
            title,
            summary: truncate(
              `**${escapeText(headline(verdict, mode), 1_000)}**\n\nGitHub refused this check's full report (HTTP ${status}); the conclusion above is the verdict. The job's log and summary hold the report. This check keeps no record, so it is no baseline for later changes.`,
              CHECK_SUMMARY_MAX_CHARS,
            ),
          });
        }
      } else if (this.kind === 'status') {
        await this.github.rest.repos.createCommitStatus({
          owner,
          repo,
          sha: headSha,
          state: statusState(verdict, mode),
          context: name,
          description: truncate(headline(verdict, mode), STATUS_DESCRIPTION_MAX_CHARS),
          ...(link ? { target_url: link } : {}),
        });
      }
    } catch (error) {
      this.log.warning(
        `Could not complete the ${this.kind} "${name}" (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); ${this.words.decides}.`,
      );
    }
  }
}

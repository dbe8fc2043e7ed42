import { randomUUID } from 'node:crypto';
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
    /**
     * The `external_id` of a check run whose create got no answer (a timeout, a 5xx): GitHub may
     * have made it all the same, and a check left `in_progress` blocks the merge for ever, so
     * the completion looks for it and completes it too.
     */
    private readonly unanswered?: string,
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
    // Names this create, so that one whose answer never came can be found and completed.
    const externalId = newExternalId();
    let unanswered: string | undefined;
    try {
      const { data } = await startWith.rest.checks.create({
        owner,
        repo,
        name,
        head_sha: headSha,
        external_id: externalId,
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
      // A refusal (4xx) made nothing; no answer, or a server error, may have made the check.
      if (mayHaveMade(checkError)) unanswered = externalId;
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
      return new CheckReport(github, place, log, 'status', undefined, undefined, words, unanswered);
    } catch (statusError) {
      log.warning(
        `The gate cannot report a check or a commit status on ${headSha} (HTTP ${statusOf(statusError) ?? '-'}: ${messageOf(statusError)}). ` +
          `${words.checkPermission}; ${words.decides}.`,
      );
      return new CheckReport(github, place, log, 'none', undefined, undefined, words, unanswered);
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
    const completeCheck = (
      output: { title: string; summary: string; text?: string },
      id = this.checkRunId as number,
    ) =>
      this.github.rest.checks.update({
        owner,
        repo,
        check_run_id: id,
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
    if (this.unanswered)
      await completeUnanswered(this.github, this.place, this.unanswered, this.log, (id) =>
        completeCheck(
          {
            title,
            summary: truncate(
              `**${escapeText(headline(verdict, mode), 1_000)}**\n\nThis check was begun by a request GitHub did not answer in time; the gate reported through ${this.kind === 'status' ? 'a commit status' : 'the job alone'} and completes it with the verdict. The job's log and summary hold the report.`,
              CHECK_SUMMARY_MAX_CHARS,
            ),
          },
          id,
        ),
      );
  }
}

/** Names a check's create, so that one whose answer never came can be found: `external_id`. */
export const newExternalId = () => `agent-reliability-gate:${randomUUID()}`;

/** Whether a create that threw may have made the check all the same: no answer, or a server error. */
export const mayHaveMade = (error: unknown): boolean => {
  const status = statusOf(error);
  return status === undefined || status >= 500;
};

/**
 * Completes the check runs named `place.name` on its commit that a create without an answer
 * made, found by their `external_id`: a check left `in_progress` blocks the merge for ever.
 * Never throws; says what it did.
 */
export async function completeUnanswered(
  github: GitHub,
  place: Pick<CheckPlace, 'owner' | 'repo' | 'headSha' | 'name'>,
  externalId: string,
  log: GateLog,
  complete: (id: number) => Promise<unknown>,
): Promise<void> {
  const { owner, repo, headSha, name } = place;
  try {
    const runs = await github.paginate(github.rest.checks.listForRef, {
      owner,
      repo,
      ref: headSha,
      check_name: name,
      filter: 'all',
      per_page: 100,
    });
    for (const run of runs.filter(
      (r) => r.external_id === externalId && r.status !== 'completed',
    )) {
      await complete(run.id);
      log.info(`Completed the check "${name}" that an unanswered request had begun.`);
    }
  } catch (error) {
    log.warning(
      `Could not look for the check "${name}" an unanswered request may have begun (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); if it shows as in progress, run the job again.`,
    );
  }
}

import { hideRecord } from '../../../core/baseline/encode.js';
import { codeSpan, escapeText } from '../../../core/render/escape.js';
import { messageOf } from '../../../core/support/errors.js';
import type { GateLog } from '../../../core/support/log.js';
import { truncate } from '../../../core/support/text.js';
import type { GitHub } from '../octokit.js';
import { statusOf } from '../status.js';
import { completeUnanswered, mayHaveMade, newExternalId } from '../check.js';
import { acceptanceCheck } from './acceptance.js';
import type { GateCommand } from './command.js';
import { type HeadVerdict, readCheckRuns, REFUSAL_MARK } from './head-verdict.js';
import { markStickyComment } from './reply.js';
import type { AcceptPlace, CommandGitHub, CommandOutcome } from './types.js';

/**
 * The new check run: begun in progress, which names the app this token writes as; completed
 * as accepted (or revoked) only when that app wrote the verdict, and no other run of the check
 * began on the commit meanwhile (a gate started again, whose verdict decides). Otherwise the
 * command is refused, and the check begun concludes as {@link standingBeside} says: a refusal
 * never turns a check into a pass.
 */
export async function writeCheck(
  github: CommandGitHub,
  command: GateCommand,
  place: AcceptPlace,
  headSha: string,
  head: HeadVerdict,
  log: GateLog,
  at: Date,
): Promise<CommandOutcome> {
  const { owner, repo, checkName } = place;
  const by = command.comment.author;
  const short = headSha.slice(0, 12);
  let begun: { id: number; app: string };
  const externalId = newExternalId();
  try {
    const { data } = await github.calls.rest.checks.create({
      owner,
      repo,
      name: checkName,
      head_sha: headSha,
      external_id: externalId,
      status: 'in_progress',
      started_at: at.toISOString(),
      output: {
        title: `Recording ${by}'s ${command.verb}`,
        summary: `\`/gate ${command.verb}\` is being recorded.`,
      },
    });
    begun = { id: data.id, app: data.app?.slug ?? '' };
  } catch (error) {
    // A create GitHub may have carried out without answering leaves no check in progress behind.
    if (mayHaveMade(error))
      await completeUnanswered(
        github.completing,
        { owner, repo, headSha, name: checkName },
        externalId,
        log,
        (id) =>
          github.completing.rest.checks.update({
            owner,
            repo,
            check_run_id: id,
            status: 'completed',
            conclusion: 'failure',
            completed_at: new Date().toISOString(),
            output: {
              title: `Not ${command.verb}ed: GitHub did not answer in time`,
              summary: `\`/gate ${command.verb}\` by ${escapeText(by, 100)} could not be recorded: GitHub did not answer in time. Post the command again.`,
            },
          }),
      );
    return {
      kind: 'failed',
      by,
      why: `the check "${checkName}" could not be written on ${short} (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}); give the job \`permissions: checks: write\``,
    };
  }
  const obstacle = await whyNotOurs(github.calls, place, headSha, head, begun);
  const written = obstacle ? undefined : acceptanceCheck(command, head, at);
  const refusedWith = obstacle && {
    conclusion: obstacle.standing,
    title: truncate(`Not ${command.verb}ed: ${obstacle.why}`, 200),
    summary: `\`/gate ${command.verb}\` by ${escapeText(by, 100)} was refused: ${escapeText(obstacle.why, 600)}. This run concludes ${codeSpan(obstacle.standing)} on ${codeSpan(short)}, so that it changes nothing a merge rests on.`,
  };
  // Begun, the check is completed whatever happens: with the time kept for it alone.
  try {
    await github.completing.rest.checks.update({
      owner,
      repo,
      check_run_id: begun.id,
      status: 'completed',
      conclusion: (written?.conclusion ?? refusedWith?.conclusion ?? 'failure') as 'success',
      completed_at: new Date().toISOString(),
      ...(command.comment.url ? { details_url: command.comment.url } : {}),
      output: written
        ? { title: written.title, summary: written.summary, text: hideRecord(written.record) }
        : {
            title: refusedWith?.title ?? '',
            summary: refusedWith?.summary ?? '',
            text: REFUSAL_MARK,
          },
    });
  } catch (error) {
    // A check left in progress would read as "still running" to every later command: it is completed short, as a failure.
    await github.completing.rest.checks
      .update({
        owner,
        repo,
        check_run_id: begun.id,
        status: 'completed',
        conclusion: 'failure',
        completed_at: new Date().toISOString(),
        output: {
          title: `Not ${command.verb}ed: the check could not be written in full`,
          summary: `\`/gate ${command.verb}\` by ${escapeText(by, 100)} could not be recorded; the gate's run decides on ${codeSpan(short)}.`,
          text: REFUSAL_MARK,
        },
      })
      .catch(() => undefined);
    return {
      kind: 'failed',
      by,
      why: `the check "${checkName}" on ${short} could not be completed (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)}), and was completed short as a failure`,
    };
  }
  if (!written)
    return {
      kind: 'refused',
      by,
      decision: head.record.decision,
      checkBegun: true,
      why: obstacle?.why ?? 'the check could not be written',
    };
  log.info(
    `Check "${checkName}" on ${short}: ${written.kind} by ${by}, completed as ${written.conclusion}.`,
  );
  if (place.comment)
    await markStickyComment(github.calls, command, place, headSha, written.block, begun.app, log);
  return {
    kind: written.kind,
    by,
    decision: written.decision,
    reason: command.reason,
    headSha,
    record: written.record,
    conclusion: written.conclusion,
    summary: written.summary,
  };
}

/**
 * Why the verdict found is not this gate's to accept, now that the check begun names this
 * token's app: another app wrote it, or another run of the check began since it was read. With
 * what the check begun then concludes: this app's newest completed conclusion there before it.
 */
async function whyNotOurs(
  github: GitHub,
  place: AcceptPlace,
  headSha: string,
  head: HeadVerdict,
  begun: { id: number; app: string },
): Promise<{ why: string; standing: string } | undefined> {
  const short = headSha.slice(0, 12);
  // Read again now the check has begun: a gate that began meanwhile is seen.
  const runs = await readCheckRuns(github, {
    owner: place.owner,
    repo: place.repo,
    headSha,
    checkName: place.checkName,
  });
  const standing = standingBeside(runs ?? [], begun);
  if (head.app !== begun.app)
    return {
      why: `the newest check "${place.checkName}" on ${short} was written by ${head.app || 'an unknown app'}, not by ${begun.app || 'the app of this token'}: it is not this gate's verdict. Use the same token in the gate's step and this one`,
      standing,
    };
  const newer = runs?.find((run) => run.id !== begun.id && run.id > head.checkRunId);
  if (!runs || newer)
    return {
      why: newer
        ? `the gate "${place.checkName}" began again on ${short} while the command was carried out: its own run decides`
        : `the checks on ${short} could not be read again to make sure no gate began meanwhile`,
      standing,
    };
  return undefined;
}

/** Conclusions a check run may be completed with. */
const SETTABLE = new Set([
  'success',
  'failure',
  'neutral',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required',
]);

/** Conclusions branch protection lets through. */
const PASSING = new Set(['success', 'neutral', 'skipped']);

/**
 * What a refused command's check concludes, so that it changes nothing a merge rests on: this
 * app's newest conclusion there when it blocks; a passing one only when the newest run of the
 * check (whoever wrote it, finished) passes too; otherwise `failure`. A refusal never makes a
 * pass that was not there, whether branch protection reads this app's checks or any app's.
 */
function standingBeside(runs: HeadVerdict['runs'], begun: { id: number; app: string }): string {
  const others = runs.filter((run) => run.id !== begun.id);
  const own = others.find((run) => run.app === begun.app && run.status === 'completed');
  const newest = others[0];
  // Only a conclusion a check may be completed with is repeated (GitHub sets `stale` itself).
  if (!own || !SETTABLE.has(own.conclusion)) return 'failure';
  if (!PASSING.has(own.conclusion)) return own.conclusion;
  return newest?.status === 'completed' && PASSING.has(newest.conclusion)
    ? own.conclusion
    : 'failure';
}

import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BACKENDS, backendById } from '../core/backends/registry.js';
import { readEvent } from '../core/change/github.js';
import { commonSchema } from '../core/inputs/common.js';
import { parseInputs, type RawInputs } from '../core/inputs/fields.js';
import { REPORT_VERSION } from '../core/report-file/write.js';
import { GATES_CHECK_NAME, manyGates } from '../core/run/plan.js';
import { CANCEL_REPORT_MS } from '../core/run/timing.js';
import { Deadline } from '../core/support/deadline.js';
import { InputError, messageOf } from '../core/support/errors.js';
import type { GateLog } from '../core/support/log.js';
import { escapeText } from '../core/render/escape.js';
import { defuseCommands } from '../core/support/text.js';
import { type CommandOutcome, carryOutCommand } from '../report/github/accept/accept.js';
import { type GateCommand, readGateCommand } from '../report/github/accept/command.js';
import { GitHubInputs } from '../report/github/inputs.js';
import { COMPLETE_RESERVE_MS } from '../report/github/report.js';
import { undeclaredInputProblems } from './inputs.js';
import { writeJobSummary } from './summary.js';

/** The inputs a comment command reads: whose gate (its check name), with what token, by whose leave. */
const CommandInputs = z.object({
  backend: commonSchema(BACKENDS).shape.backend,
  ...GitHubInputs.pick({
    github_token: true,
    check_name: true,
    comment: true,
    accept_permission: true,
  }).shape,
});
// `config` is read for the check's name alone: many gates report under one check.
const READ = new Set([...Object.keys(CommandInputs.shape), 'config']);

/** How long the command's GitHub calls may take, all together. */
const COMMAND_BUDGET_MS = 60_000;

/**
 * The action on `issue_comment` (CONTRACT.md, section 9): a maintainer's `/gate accept` or
 * `/gate revoke` on a pull request, carried out on this step's gate. Nothing is decided anew:
 * no trace is read and no backend called, so the backend's inputs are not read (said once).
 * A comment that is no command, a refusal and a done command all exit 0; the step fails only
 * when its own inputs are wrong or GitHub could not be read or written. Once `cancelled`
 * settles, the GitHub calls have the seconds a cancelled gate has to report.
 */
export async function runCommandStep(
  raw: RawInputs,
  undeclared: readonly string[],
  env: NodeJS.ProcessEnv,
  log: GateLog,
  cancelled: Promise<NodeJS.Signals> = new Promise(() => undefined),
): Promise<void> {
  const typos = undeclaredInputProblems(undeclared);
  const inputs = (() => {
    try {
      return parseInputs(CommandInputs, raw);
    } catch (error) {
      return error as Error;
    }
  })();
  const event = readEvent(env);
  const problems = [
    ...(typos.length > 0 ? [new InputError(typos)] : []),
    ...(inputs instanceof Error ? [inputs] : []),
    ...(event.problem ? [new InputError([event.problem])] : []),
  ];
  if (problems.length > 0 || inputs instanceof Error) {
    core.setFailed(defuseCommands(messageOf(InputError.combine(problems))));
    return;
  }
  const unread = Object.keys(raw).filter((name) => raw[name] && !READ.has(name));
  if (unread.length > 0)
    log.info(
      `On issue_comment the gate decides nothing anew: it reads no trace and calls no backend, so ${unread.map((n) => `\`${n}\``).join(', ')} ${unread.length === 1 ? 'is' : 'are'} not read.`,
    );
  const command = (() => {
    try {
      return readGateCommand(event.payload);
    } catch (error) {
      return error as Error;
    }
  })();
  if (command instanceof Error) {
    core.setFailed(defuseCommands(command.message));
    return;
  }
  if ('ignored' in command) {
    log.info(`Not a command for the gate: ${command.ignored}. Nothing was posted.`);
    return;
  }
  // The gate's step named its check as this one names it: many gates (`config`) under theirs.
  const checkName =
    inputs.check_name ??
    (manyGates(raw) ? GATES_CHECK_NAME : backendById(inputs.backend).defaultCheckName);
  if (!inputs.github_token) {
    core.setFailed(
      `Input \`github_token\` is empty: \`/gate ${command.verb}\` reads the commenter's permission and writes the check "${checkName}" with it. Leave it at its default, \`\${{ github.token }}\`, with \`permissions: checks: write\` and \`pull-requests: write\`.`,
    );
    return;
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const { createGitHub } = await import('../report/github/octokit.js');
  const budget = new Deadline(COMMAND_BUDGET_MS);
  // A cancelled job has seconds: the check the command began is completed within them.
  void cancelled.then(() => budget.shorten(CANCEL_REPORT_MS));
  const client = (deadline: Deadline, spent?: string) =>
    createGitHub(
      inputs.github_token ?? '',
      env.GITHUB_API_URL || 'https://api.github.com',
      log,
      deadline,
      undefined,
      undefined,
      spent,
    );
  // As the gate does, the end of the budget is kept for completing the check begun.
  const github = {
    calls: client(
      budget.before(COMPLETE_RESERVE_MS),
      'no time is left for GitHub calls; the rest is kept for completing the check',
    ),
    completing: client(budget),
  };
  const outcome = await carryOutCommand(
    github,
    command,
    { owner, repo, checkName, acceptPermission: inputs.accept_permission, comment: inputs.comment },
    log,
    [inputs.github_token, raw.token],
  );
  if (outcome.kind === 'ignored') {
    log.info(`Not a command for this step's gate: ${outcome.why}. Nothing was posted.`);
    return;
  }
  await publish(outcome, command, { checkName, repository: `${owner}/${repo}` }, env, log);
}

/** The outcome where later steps and the job's reader look: outputs, the report file, the job summary, the log. */
async function publish(
  outcome: Exclude<CommandOutcome, { kind: 'ignored' }>,
  command: GateCommand,
  subject: { checkName: string; repository: string },
  env: NodeJS.ProcessEnv,
  log: GateLog,
): Promise<void> {
  const done = outcome.kind === 'accepted' || outcome.kind === 'revoked';
  core.setOutput('decision', 'decision' in outcome ? (outcome.decision ?? '') : '');
  core.setOutput(
    'accepted_by',
    outcome.kind === 'accepted'
      ? outcome.by
      : outcome.kind === 'refused'
        ? (outcome.acceptedBy ?? '')
        : '',
  );
  core.setOutput(
    'reason',
    outcome.kind === 'accepted'
      ? outcome.reason
      : outcome.kind === 'revoked'
        ? `Acceptance revoked by ${outcome.by}${outcome.reason ? `: ${outcome.reason}` : '.'}`
        : 'why' in outcome
          ? outcome.why
          : '',
  );
  try {
    core.setOutput('report_file', await writeCommandReport(outcome, command, subject, env));
  } catch (error) {
    log.warning(
      `Could not write the report file (${messageOf(error)}); the outputs say what was done.`,
    );
    core.setOutput('report_file', '');
  }
  const said =
    outcome.kind === 'accepted' || outcome.kind === 'revoked'
      ? outcome.summary
      : `### \`/gate ${command.verb}\` by ${escapeText(command.comment.author, 100)} was ${outcome.kind === 'refused' ? 'refused' : 'not carried out'}\n\n${escapeText(sentence('why' in outcome ? outcome.why : ''), 1_000)}.`;
  await writeJobSummary(said).catch((error: unknown) =>
    log.warning(`Could not write the job summary (${messageOf(error)}).`),
  );
  if (outcome.kind === 'failed')
    core.setFailed(defuseCommands(`/gate ${command.verb}: ${outcome.why}.`));
  else if (done)
    core.info(
      defuseCommands(
        `/gate ${command.verb} by ${outcome.by}: the check "${subject.checkName}" on ${outcome.headSha.slice(0, 12)} is now ${outcome.conclusion}.`,
      ),
    );
  else if (outcome.kind === 'refused')
    core.info(
      defuseCommands(`/gate ${command.verb} by ${outcome.by} was refused: ${outcome.why}.`),
    );
}

/** The command's report file: what was asked, by whom, what was done, and the record the check now holds. */
async function writeCommandReport(
  outcome: CommandOutcome,
  command: GateCommand,
  subject: { checkName: string; repository: string },
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'agent-reliability-gate');
  await mkdir(dir, { recursive: true });
  const path = join(
    dir,
    `command-${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${process.pid}.json`,
  );
  const report = {
    version: REPORT_VERSION,
    kind: 'command',
    ...subject,
    writtenAt: new Date().toISOString(),
    command: {
      verb: command.verb,
      by: command.comment.author,
      commentId: command.comment.id,
      ...(command.comment.url ? { commentUrl: command.comment.url } : {}),
      pullRequestNumber: command.pullRequestNumber,
    },
    outcome: outcome.kind,
    ...('decision' in outcome && outcome.decision ? { decision: outcome.decision } : {}),
    ...('why' in outcome ? { why: outcome.why } : {}),
    ...('record' in outcome
      ? { headSha: outcome.headSha, conclusion: outcome.conclusion, record: outcome.record }
      : {}),
  };
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** A clause as a sentence: its first letter capitalised. */
const sentence = (clause: string) => `${clause.charAt(0).toUpperCase()}${clause.slice(1)}`;

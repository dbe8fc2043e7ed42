import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passedOnItsOwn } from '../core/baseline/compare.js';
import { formatNumber } from '../core/verdict/figures.js';
import { printable } from '../core/support/text.js';
import { type ReportSubject, reportJson } from '../core/report-file/write.js';
import type { Verdict } from '../core/verdict/verdict.js';
import { FIGURE_SPECS, ID_SPECS } from '../core/backends/vocabulary.js';
import { errorsLeft } from '../core/retry/types.js';

/** Writes the whole verdict as JSON under `RUNNER_TEMP`, for later steps; returns its path. */
export async function writeReportFile(
  verdict: Verdict,
  subject: ReportSubject,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'agent-reliability-gate');
  await mkdir(dir, { recursive: true });
  const shard = subject.shard ? `-${subject.shard.replace(/[^\w.-]+/g, '_')}` : '';
  const path = join(
    dir,
    `verdict-${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}${shard}-${process.pid}.json`,
  );
  await writeFile(path, reportJson(verdict, subject));
  return path;
}

/** The outputs every gate sets, whatever its backend; the ids and figures come from the backends' declarations. */
export const VERDICT_OUTPUTS = [
  { name: 'decision', description: "`pass`, `warn` or `fail`: the gate's verdict (fail closed)." },
  {
    name: 'reason',
    description:
      'One sentence saying why; on `/gate accept` (`issue_comment`), the reason the maintainer wrote, or why the command was refused.',
  },
  { name: 'dashboard_url', description: "Link to the run or batch in the backend's dashboard." },
  {
    name: 'baseline_sha',
    description: 'The base commit whose verdict the gate compared with; empty when there was none.',
  },
  {
    name: 'baseline_decision',
    description: "That base commit's decision; empty when there was none.",
  },
  {
    name: 'baseline_run_id',
    description: "The base commit's backend run id; empty when there was none.",
  },
  {
    name: 'repeats_run',
    description: 'How many times the evaluation ran (`repeats`); 1 without repeats.',
  },
  {
    name: 'repeats_passed',
    description:
      'How many of those runs passed on their own: pass^k holds when it equals `repeats_run`.',
  },
  {
    name: 'errors',
    description:
      'How many runs ended without a verdict after their retries (the gate could not evaluate them); `0` when every run was evaluated.',
  },
  {
    name: 'retried',
    description: 'How many runs were started again after an error (`retry_errors`).',
  },
  {
    name: 'gates',
    description:
      'With `config`: every entry as JSON, `[{"name", "ran", "decision", "reason"}]` (`decision` is null for an entry the change did not reach, and `reason` says why), then each entry the base commit\'s verdict holds and the config file no longer does, with `"ran": false, "removed": true, "base_decision"` (that verdict\'s decision); `[]` without `config`.',
  },
  {
    name: 'gates_run',
    description:
      'With `config`: how many entries ran (the change reached them); `0` without `config`.',
  },
  {
    name: 'gates_skipped',
    description:
      'With `config`: how many entries did not run (not affected; never counted as passing); `0` without `config`.',
  },
  {
    name: 'accepted_by',
    description:
      "On `issue_comment`: who accepted this gate's failing verdict with `/gate accept`; empty otherwise.",
  },
] as const;

/** One entry of the `gates` output. */
interface GateOutput {
  name: string;
  ran: boolean;
  decision: string | null;
  reason: string;
  /** Set on an entry the base commit's verdict holds and the config file no longer does, with that verdict's decision. */
  removed?: true;
  base_decision?: string;
}

/** Each entry of many gates for the `gates` output: whether it ran, its decision, and why; then those the change removed. */
export function gatesOutput(verdict: Verdict): GateOutput[] {
  const entries = (verdict.gates?.entries ?? []).map((entry): GateOutput => ({
    name: entry.name,
    ran: entry.ran,
    decision: entry.verdict?.decision ?? null,
    reason: entry.verdict ? entry.verdict.reason : `Not affected: ${entry.why}.`,
  }));
  const removed = (verdict.gates?.removed ?? []).map((entry): GateOutput => ({
    name: entry.name,
    ran: false,
    decision: null,
    reason: `Removed by this change: the base commit's last verdict (${entry.sha.slice(0, 12)}) was ${entry.decision}; not evaluated.`,
    removed: true,
    base_decision: entry.decision,
  }));
  return [...entries, ...removed];
}

/** The verdicts the counting outputs count: each entry's that ran, or the gate's own. */
const countedVerdicts = (verdict: Verdict): Verdict[] =>
  verdict.gates
    ? verdict.gates.entries.flatMap((entry) => (entry.verdict ? [entry.verdict] : []))
    : [verdict];

/** Sets every output but `report_file`; an id or figure the backend did not return is an empty string. */
export function setOutputs(verdict: Verdict): void {
  core.setOutput('decision', verdict.decision);
  // A step that echoes it must not print a backend's escape sequences or bidi overrides.
  core.setOutput('reason', printable(verdict.reason));
  core.setOutput('dashboard_url', verdict.dashboardUrl ?? '');
  const base = verdict.baseline?.record;
  core.setOutput('baseline_sha', base?.headSha ?? '');
  core.setOutput('baseline_decision', base?.decision ?? '');
  core.setOutput('baseline_run_id', base?.ids.run_id ?? '');
  // Many gates count over their entries that ran.
  const counted = countedVerdicts(verdict);
  const sum = (count: (v: Verdict) => number) => String(counted.reduce((n, v) => n + count(v), 0));
  // A gate without repeats ran once; it passed on its own when its own verdict, before the base branch's, is pass.
  core.setOutput(
    'repeats_run',
    sum((v) => v.repeats?.run ?? (v.outcome === 'evaluated' ? 1 : 0)),
  );
  core.setOutput(
    'repeats_passed',
    sum((v) => v.repeats?.passed ?? (passedOnItsOwn(v) ? 1 : 0)),
  );
  core.setOutput(
    'errors',
    sum((v) => errorsLeft(v.attempts).length),
  );
  core.setOutput(
    'retried',
    sum((v) => v.attempts?.retried ?? 0),
  );
  const entries = verdict.gates?.entries ?? [];
  core.setOutput('gates', JSON.stringify(gatesOutput(verdict)));
  core.setOutput('gates_run', String(entries.filter((entry) => entry.ran).length));
  core.setOutput('gates_skipped', String(entries.filter((entry) => !entry.ran).length));
  core.setOutput('accepted_by', '');
  for (const { name } of ID_SPECS) core.setOutput(name, verdict.ids[name] ?? '');
  for (const { name } of FIGURE_SPECS) {
    const value = verdict.figures[name];
    core.setOutput(name, value === undefined ? '' : formatNumber(value));
  }
}

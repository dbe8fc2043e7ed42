import type { BaseBranch } from '../baseline/history.js';
import type { HistoryEntry } from '../baseline/history-types.js';
import type { Deadline } from '../support/deadline.js';
import type { GateLog } from '../support/log.js';
import type { AgentSource } from '../transport/agents.js';
import type { Verdict } from '../verdict/verdict.js';
import type { RunPlan } from './plan.js';
import type { ChangedFiles } from '../gates/types.js';

/** The base commit's verdict, as a reporter found it, or why there is none. */
export type FoundBase = NonNullable<BaseBranch['base']>;

/** Where reviewers see the verdict (a check, a comment, a note), started before the evaluation. */
export interface Reporters {
  /** The base commit's verdict, looked up while the backend works; undefined when not looked for. */
  baseline: Promise<FoundBase | undefined>;
  /** This gate's verdicts along the base branch, newest first; undefined when not looked for. */
  history: Promise<readonly HistoryEntry[] | undefined>;
  /** Writes the verdict everywhere it goes. Never throws: a forge that fails is a warning. */
  finish(verdict: Verdict): Promise<void>;
}

/** Where the comparison with the base branch comes from, for one door. */
export interface BaseBranchSources {
  base: Promise<FoundBase | undefined>;
  history: Promise<{ entries: readonly HistoryEntry[]; notes?: readonly string[] } | undefined>;
  /** Why there is no base commit's verdict, when no source found one. */
  missing: string;
  /**
   * Compare even when no source found anything and no drop threshold asks for a base (the
   * action on a pull request says "no baseline" then); otherwise the verdict is left as it is.
   */
  always: boolean;
}

/** What a door gives the pipeline: its log, its secrets, its reporters and its own writes. */
export interface Door<R extends Reporters = Reporters> {
  log: GateLog;
  /** Redacted from the verdict before anything is written. */
  secrets: readonly (string | undefined)[];
  /** The agents that carry backend requests (a proxy's, where one is set). */
  agents: AgentSource;
  /** Settles when the CI cancels the job. */
  cancelled: Promise<NodeJS.Signals>;
  /** Starts where reviewers look; every call they make fits in `budget`. */
  startReporters(plan: RunPlan, budget: Deadline): R;
  /** Where the base branch's verdicts come from; undefined: the verdict is not compared. */
  baseBranch(plan: RunPlan, reporters: R, verdict: Verdict): BaseBranchSources | undefined;
  /**
   * The files the change touched, for many gates in one step (`config`); absent, or one that
   * says `all`: every entry runs.
   */
  changedFiles?(): Promise<ChangedFiles>;
  /** Writes the verdict where this door writes it (outputs, files, stdout) and finishes the reporters. */
  publish(verdict: Verdict, plan: RunPlan, reporters: R): Promise<void>;
}

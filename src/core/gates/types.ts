/*
 * The types of many gates in one step (CONTRACT.md, section 11), owned here, and the verdict's
 * section for them (`gates`), declared at the end of this file.
 */
import type { Decision } from '../verdict/decision.js';
import type { Verdict } from '../verdict/verdict.js';

/** Which files a change touched, as a door read them; or why every gate runs. */
export type ChangedFiles =
  | {
      /** Repository-relative paths, `/`-separated. */
      files: readonly string[];
      /** Where the list came from, as a clause: "the 12 files pull request #7 changes". */
      source: string;
    }
  | {
      /** Why every gate runs, as a clause: "on `push` every gate runs, so that each has a baseline on the default branch". */
      all: string;
      /** Every gate runs because the list could not be had (a token without the permission): a warning, not a line of the log. */
      warn?: boolean;
    };

/** One entry of the config file, as the check, the comment and the report show it. */
export interface GateEntryResult<V> {
  name: string;
  /** The entry's `paths` as written; empty: it always runs. */
  paths: readonly string[];
  ran: boolean;
  /** Why it ran or did not, as a clause: "`agents/a/prompt.md` changed", "no changed file is under its paths". */
  why: string;
  /** Its whole verdict, when it ran. */
  verdict?: V;
  /**
   * Why the base commit's verdict of this name is of something else (its campaign, suite or
   * backend changed), when it is: nothing compares the change with main's for it, so its
   * verdict warns at best (never a silent success), its reason saying so.
   */
  notComparable?: string;
}

/** An entry the base commit's verdict holds and this change's config file does not (removed or renamed). */
export interface RemovedEntry {
  name: string;
  /** The base commit's last verdict of it. */
  decision: Decision;
  /** The commit that verdict is of. */
  sha: string;
}

/** Every entry of the config file, and how the change chose among them. */
export interface GatesSummary<V> {
  /** The config file, as the step named it. */
  config: string;
  /** How the entries that ran were chosen, as a sentence. */
  selection: string;
  /** In the config file's order. */
  entries: GateEntryResult<V>[];
  /**
   * The entries the base commit's verdict holds and the config file no longer does, with that
   * verdict: listed as "removed by this change", and the step warns at best. Absent when none
   * (or when the base commit's verdict could not be read: nothing to compare).
   */
  removed?: RemovedEntry[];
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** Many gates in one step (`config`): each entry, whether it ran and why, and its own verdict. */
    gates?: GatesSummary<Verdict>;
  }
}

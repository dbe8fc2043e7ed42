/*
 * The types of many gates in one step (CONTRACT.md, section 11), owned here. A verdict holds
 * `GatesSummary<Verdict>`: generic in the verdict, so that this file imports nothing of it.
 */

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
}

/** Every entry of the config file, and how the change chose among them. */
export interface GatesSummary<V> {
  /** The config file, as the step named it. */
  config: string;
  /** How the entries that ran were chosen, as a sentence. */
  selection: string;
  /** In the config file's order. */
  entries: GateEntryResult<V>[];
}

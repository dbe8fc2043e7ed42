import type { BaselineRecord } from './record.js';

/** One commit along the base branch, newest first: this gate's verdict there, or why there is none. */
export interface HistoryEntry {
  sha: string;
  /** The newest valid verdict of this gate on the commit. */
  record?: BaselineRecord;
  /**
   * The commit's other valid verdicts of this gate, newest first (two gates left on the same
   * `check_name`): when the newest is of something else, the newest that compares is taken.
   */
  older?: BaselineRecord[];
  missing?: string;
}

/** One failing tool or regressed item beside the base branch: in how many of `of` comparable verdicts it failed, and when it last did not. */
export type AlongTheBranch<K extends string> = { [key in K]: string } & {
  failedIn: number;
  of: number;
  lastPassed?: { sha: string; at: string };
};

/** The base branch's history beside a verdict. */
export interface HistorySummary {
  /** How many verdicts were asked for (`history`), how many were read, how many compare with this one. */
  asked: number;
  read: number;
  comparable: number;
  /** The backend's headline figure along the base branch, oldest first. */
  trend?: { figure: string; values: { sha: string; value: number; at: string }[] };
  /** Each failing tool of this verdict, new ones first: in how many comparable verdicts it failed, and when it last passed. */
  tools: AlongTheBranch<'tool'>[];
  /** Each regressed item of this verdict, new ones first, against the comparable verdicts whose diff was read. */
  items: AlongTheBranch<'item'>[];
  /** What was left out, said once. */
  notes: string[];
}

declare module '../verdict/verdict.js' {
  interface VerdictSections {
    /** The base branch's history beside this verdict (`history`): new and known failures, the trend. */
    history?: HistorySummary;
  }
}

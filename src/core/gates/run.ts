import { compareWithBaseBranch } from '../baseline/history.js';
import { comparableRunId, runGate } from '../gate/gate.js';
import type { BaseBranchSources, Door, Reporters } from '../run/ports.js';
import type { RunPlan } from '../run/plan.js';
import type { GateLog } from '../support/log.js';
import { messageOf } from '../support/errors.js';
import { CHANGED_FILES_MAX_MS } from '../run/timing.js';
import { redactSecrets } from '../support/secrets.js';
import { failedVerdict, type Verdict } from '../verdict/verdict.js';
import { combineEntries } from './combine.js';
import type { GateEntryPlan, GatesPlan } from './plan.js';
import {
  changedEvaluation,
  entryBase,
  entryHistory,
  type FoundRecords,
  removedEntries,
  warnedAsChanged,
} from './records.js';
import { selectEntries } from './select.js';
import type { ChangedFiles, GateEntryResult } from './types.js';

/** Reads which files the change touched; a door that cannot tell runs every entry. */
export type ChangedFilesSource = () => Promise<ChangedFiles>;

/**
 * Many gates in one step: the entries the change reaches are evaluated, `atOnce` at a time,
 * each compared with its own verdicts along the base branch; the others are "not affected".
 * One entry's error or timeout is its own verdict and never hides another's. Returns the
 * step's verdict over them all.
 */
export async function runManyGates<R extends Reporters>(
  plan: RunPlan,
  gates: GatesPlan,
  door: Door<R>,
  reporters: R,
): Promise<Verdict> {
  // Set before any entry starts once the job is cancelled: no backend run begins after it.
  let cancelledBy: string | undefined;
  void door.cancelled.then((signal) => (cancelledBy = signal));
  const changed = await readChanged(door);
  const { selected, selection } = selectEntries(gates.entries, changed, gates.definitions);
  // Every entry running because the list could not be read costs every evaluation: the log warns.
  if ('all' in changed && changed.warn) door.log.warning(selection);
  else door.log.info(selection);
  const chosen = gates.entries.filter((_, index) => selected[index]?.ran);
  const evaluated = await eachAtOnce(chosen, gates.atOnce, async (entry) =>
    cancelledBy ? cancelledEntry(entry, cancelledBy) : evaluateEntry(entry, door, reporters),
  );
  const results = (
    verdicts: Map<string, Verdict>,
    changedFrom = new Map<string, string>(),
  ): GateEntryResult<Verdict>[] =>
    gates.entries.map((entry, index) => {
      const verdict = verdicts.get(entry.name);
      const notComparable = changedFrom.get(entry.name);
      return {
        name: entry.name,
        paths: entry.paths,
        ran: Boolean(selected[index]?.ran),
        why: selected[index]?.why ?? '',
        ...(verdict ? { verdict } : {}),
        ...(notComparable ? { notComparable } : {}),
      };
    });
  const summary = { config: gates.config, selection };
  const uncompared = combineEntries(results(evaluated), summary);
  // The step's record on the base branch holds every entry's: it is read once, then taken apart.
  const sources = door.baseBranch(plan, reporters, uncompared);
  if (!sources || chosen.length === 0) return redactSecrets(uncompared, door.secrets);
  const [base, history] = await Promise.all([sources.base, sources.history]);
  const compared = new Map<string, Verdict>();
  const changedFrom = new Map<string, string>();
  for (const entry of chosen) {
    const verdict = evaluated.get(entry.name) as Verdict;
    const own = entryBase(base, entry.name);
    const changed = changedEvaluation(verdict, own);
    const judged = compareEntry(verdict, entry, sources, own, history);
    if (changed) changedFrom.set(entry.name, changed);
    compared.set(entry.name, changed ? warnedAsChanged(judged, changed) : judged);
  }
  // An entry main's verdict holds that the file no longer does is said, never silently dropped.
  const removed = removedEntries(
    base,
    gates.entries.map((entry) => entry.name),
  );
  const combined = combineEntries(results(compared, changedFrom), {
    ...summary,
    ...(removed.length > 0 ? { removed } : {}),
  });
  // What GitHub said of the changed files is published too: no secret in it either.
  return redactSecrets(combined, door.secrets);
}

async function readChanged<R extends Reporters>(door: Door<R>): Promise<ChangedFiles> {
  if (!door.changedFiles) return { all: 'this run cannot tell which files the change touched' };
  let timer: NodeJS.Timeout | undefined;
  // The step's budget counts this long for the list; past it, every entry runs rather than none.
  const late = new Promise<ChangedFiles>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          all: `the changed files were not read within ${CHANGED_FILES_MAX_MS / 1000} s`,
          warn: true,
        }),
      CHANGED_FILES_MAX_MS,
    );
  });
  // A cancel stops the wait: the cancelled verdict needs the runner's few seconds to be reported.
  const cancelled = door.cancelled.then((signal): ChangedFiles => ({
    all: `the job was cancelled (${signal}) before the changed files were read`,
  }));
  try {
    return await Promise.race([door.changedFiles(), late, cancelled]);
  } catch (error) {
    return { all: `the changed files could not be read (${messageOf(error)})`, warn: true };
  } finally {
    clearTimeout(timer);
  }
}

/** One entry to its verdict, as one gate: never throws, its errors are its verdict. */
async function evaluateEntry<R extends Reporters>(
  entry: GateEntryPlan,
  door: Door<R>,
  reporters: R,
): Promise<Verdict> {
  const log = taggedLog(door.log, entry.name);
  try {
    const verdict = await runGate(entry.gate, {
      log,
      cancelled: door.cancelled,
      agents: door.agents,
      // A backend that compares against the base branch's run gets this entry's, from the step's records.
      baselineRunId: async () => {
        const [base, history] = await Promise.all([reporters.baseline, reporters.history]);
        return comparableRunId(
          entry.gate,
          {
            base: entryBase(base, entry.name),
            ...(history
              ? { history: entryHistory(history, entry.name).slice(0, entry.policy.history) }
              : {}),
          },
          entry.policy.from,
          log,
        );
      },
    });
    return redactSecrets(verdict, door.secrets);
  } catch (error) {
    // runGate never throws; should it, this entry fails alone, saying why.
    return failedVerdict(
      entry.gate.backend.displayName,
      `The gate stopped unexpectedly: ${messageOf(error)}.`,
      {},
      0,
    );
  }
}

/** An entry the job was cancelled before: it fails closed, no backend run begun. */
function cancelledEntry(entry: GateEntryPlan, signal: string): Verdict {
  const name = entry.gate.backend.displayName;
  return {
    ...failedVerdict(
      name,
      `The job was cancelled (${signal}) before ${name} was asked for a verdict, so the gate fails closed.`,
      {},
      0,
    ),
    outcome: 'cancelled',
  };
}

/** One entry's verdict beside its own verdicts along the base branch (its name keys them). */
function compareEntry(
  verdict: Verdict,
  entry: GateEntryPlan,
  sources: BaseBranchSources,
  own: FoundRecords | undefined,
  history: Awaited<BaseBranchSources['history']>,
): Verdict {
  const asked = entry.policy.history;
  const entries = history ? entryHistory(history.entries, entry.name).slice(0, asked) : undefined;
  if (!sources.always && !own && !entries && entry.policy.drops.length === 0) return verdict;
  return compareWithBaseBranch(
    verdict,
    {
      base: own ?? { missing: sources.missing },
      ...(entries && asked > 0
        ? { history: { entries, asked, ...(history?.notes ? { notes: history.notes } : {}) } }
        : {}),
    },
    entry.policy,
  );
}

/** The door's log, each line naming the entry it is about. */
function taggedLog(log: GateLog, name: string): GateLog {
  const tag = (message: string) => `[${name}] ${message}`;
  return {
    info: (message) => log.info(tag(message)),
    debug: (message) => log.debug(tag(message)),
    warning: (message) => log.warning(tag(message)),
    // Entries run side by side, and a log's groups do not nest or interleave: a group's title is one line.
    group: (title, work) => {
      log.info(tag(title));
      return work();
    },
  };
}

/** `work` on each item, at most `limit` at once; the results by the items' names. */
async function eachAtOnce<T extends { name: string }, U>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<U>,
): Promise<Map<string, U>> {
  const results = new Map<string, U>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      results.set(item.name, await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { BACKEND_IDS, BACKENDS } from '../backends/registry.js';
import type { ChangeContext } from '../backends/types.js';
import type { BaseBranchPolicy } from '../baseline/history.js';
import { type GatePlan, planGate } from '../gate/plan.js';
import type { RawInputs } from '../inputs/fields.js';
import { InputError } from '../support/errors.js';
import { type GatesConfig, entryProblem, readGatesConfig } from './config.js';

/** Entries evaluated at once, at most: enough that twenty take the time of one, few enough to be gentle with a backend. */
export const GATES_AT_ONCE = 20;

/** One entry of the config file, planned: its gate, and how it compares with the base branch. */
export interface GateEntryPlan {
  name: string;
  paths: readonly string[];
  gate: GatePlan;
  policy: BaseBranchPolicy;
}

/** Many gates in one step (`config`), every entry valid. */
export interface GatesPlan {
  /** The config file, as the step named it. */
  config: string;
  /** Its path in the repository: a change to it runs every entry. */
  configPath: string;
  entries: GateEntryPlan[];
  /** Entries evaluated at once, at most. */
  atOnce: number;
}

/** What planning the entries needs beside the step's inputs. */
export interface GatesContext {
  change: ChangeContext;
  /** The workspace the config file is relative to (the repository's root). */
  cwd: string;
  /** Where `token_env` variables are read. */
  env: NodeJS.ProcessEnv;
  /** The gate inputs an entry may set. */
  inputNames: readonly string[];
}

/** The input a problem is about, as it names it first (``Input `project_id` is required``). */
const problemInput = (problem: string): string | undefined =>
  /^Input `([a-z_]+)`/.exec(problem)?.[1];

/** A backend's id as the inputs name it (the default when none does); an unknown one stays as given, for its input error. */
const backendIdOf = (given: string | undefined): string =>
  given?.trim().toLowerCase() || BACKEND_IDS[0];

/**
 * The step's inputs an entry inherits. An entry of another backend than the step's does not
 * inherit the step's credential or API root, nor the inputs only the step's backend reads: they
 * are the other backend's (and `token` would be sent to a service it is not for).
 */
function inheritedBy(raw: RawInputs, stepBackend: string, backend: string): RawInputs {
  if (backend === stepBackend) return raw;
  const own = new Set(BACKENDS.find((b) => b.id === backend)?.inputs.keyof().options ?? []);
  const other = BACKENDS.find((b) => b.id === stepBackend)?.inputs.keyof().options ?? [];
  const dropped = new Set<string>(['token', 'base_url', ...other.filter((name) => !own.has(name))]);
  return Object.fromEntries(Object.entries(raw).filter(([name]) => !dropped.has(name)));
}

/** How one gate compares with its base branch, from its valid inputs. */
export function policyOf(gate: GatePlan): BaseBranchPolicy {
  const { inputs } = gate;
  return {
    drops: gate.drops,
    onMissing: inputs.on_missing_baseline,
    ...(inputs.confidence === undefined ? {} : { confidence: inputs.confidence }),
    onInconclusive: inputs.on_inconclusive,
    from: inputs.baseline_from,
    history: inputs.history,
  };
}

/**
 * Reads the config file and plans every entry as its own gate: the step's inputs, then the
 * entry's over them, and its credential from `token_env`. Throws one {@link InputError} with
 * every problem of every entry, each naming its entry; a problem of the step's own inputs, which
 * every entry shares, is said once. Returns the plan and the credentials read (to be masked).
 */
export async function planGates(
  raw: RawInputs,
  context: GatesContext,
): Promise<{ plan: GatesPlan; secrets: string[] }> {
  const config: GatesConfig = await readGatesConfig(
    raw.config ?? '',
    context.cwd,
    context.inputNames,
  );
  const file = `\`${config.file}\``;
  const secrets: string[] = [];
  const stepBackend = backendIdOf(raw.backend);
  const planned = await Promise.all(
    config.entries.map(async (entry) => {
      const given = entry.tokenEnv ? (context.env[entry.tokenEnv] ?? '').trim() : undefined;
      if (given) secrets.push(given);
      const backend = backendIdOf(entry.inputs.backend ?? raw.backend);
      // An entry's own API root never gets the step's credential: the file would choose where it goes.
      const ownOrigin =
        entry.inputs.base_url !== undefined &&
        entry.inputs.base_url.replace(/\/+$/, '') !==
          (raw.base_url ?? '').trim().replace(/\/+$/, '');
      const inherited = inheritedBy(raw, stepBackend, backend);
      const entryRaw: RawInputs = {
        ...(ownOrigin ? { ...inherited, token: '' } : inherited),
        config: '',
        ...entry.inputs,
        ...(given === undefined ? {} : { token: given }),
      };
      const missingToken =
        entry.tokenEnv && !given
          ? [
              `\`token_env\` names \`${entry.tokenEnv}\`, which is empty or not set in the step's environment; pass the secret to the step, e.g. \`env: ${entry.tokenEnv}: \${{ secrets.${entry.tokenEnv} }}\``,
            ]
          : !entry.tokenEnv && backend !== stepBackend
            ? [
                `\`backend: ${backend}\` is not the step's (\`${stepBackend}\`), whose \`token\` is never sent to another backend: name the variable that holds this entry's credential with \`token_env\``,
              ]
            : !entry.tokenEnv && ownOrigin
              ? [
                  "`base_url` is the entry's own, and the step's `token` is never sent to an API root the file chooses: name the variable that holds this entry's credential with `token_env`",
                ]
              : [];
      const change = { ...context.change, gateKey: `${context.change.gateKey}/gate:${entry.name}` };
      try {
        const gate = await planGate(entryRaw, change);
        if (missingToken.length > 0) return { entry, problems: missingToken };
        return { entry, gate };
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // A missing token is said once, through `token_env`, and an entry cannot set `token`: it is said what it can do.
        const own = error.problems
          .filter((p) => !(missingToken.length && /^Input `token`/.test(p)))
          .map((p) =>
            /^Input `token` is required/.test(p)
              ? "Input `token` is required: set the step's `token` (a secret), or name the variable that holds this entry's credential with `token_env`"
              : p,
          );
        return { entry, problems: [...missingToken, ...own] };
      }
    }),
  );
  const failed = planned.filter((p) => p.problems);
  if (failed.length > 0) {
    // The step's own problems (every entry has them, none set the input) are said once, as the step's.
    const shared = (failed[0]?.problems ?? []).filter(
      (problem) =>
        planned.length > 1 &&
        failed.length === planned.length &&
        planned.every((p) => p.problems?.includes(problem)) &&
        !planned.some((p) => Object.hasOwn(p.entry.inputs, problemInput(problem) ?? '')),
    );
    const own = failed.flatMap(({ entry, problems }) =>
      (problems ?? [])
        .filter((problem) => !shared.includes(problem))
        .map((problem) =>
          entryProblem(
            file,
            `\`${entry.name}\``,
            problem.replace(/^Input /, '').replace(/\.$/, ''),
          ),
        ),
    );
    throw new InputError([...shared, ...own]);
  }
  return {
    plan: {
      config: config.file,
      configPath: config.repositoryPath,
      entries: planned.map(({ entry, gate }) => {
        const plannedGate = gate as GatePlan;
        return {
          name: entry.name,
          paths: entry.paths,
          gate: plannedGate,
          policy: policyOf(plannedGate),
        };
      }),
      atOnce: GATES_AT_ONCE,
    },
    secrets,
  };
}

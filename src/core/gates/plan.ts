import { BACKEND_IDS, BACKENDS } from '../backends/registry.js';
import type { ChangeContext } from '../backends/types.js';
import type { BaseBranchPolicy } from '../baseline/history.js';
import { type GatePlan, planGate } from '../gate/plan.js';
import type { RawInputs } from '../inputs/fields.js';
import { inheritedBy, publicUrlOf } from './inherit.js';
import { InputError } from '../support/errors.js';
import { excerpt } from '../support/text.js';
import { type GatesConfig, entryProblem, readGatesConfig } from './config.js';
import type { ConfigWords } from './words.js';
import {
  ALLOWANCE_INPUTS,
  baseUrlProblem,
  credentialProblem,
  readAllowance,
  tokenEnvProblem,
} from './credential.js';
import { stepDefinitions } from './definitions.js';
import type { StepDefinition } from './select.js';
import { inWorkspace, repositoryPathOf } from './workspace.js';

/** Entries evaluated at once, at most: enough that twenty take the time of one, few enough to be gentle with a backend. */
export const GATES_AT_ONCE = 20;

/** One entry of the config file, planned: its gate, and how it compares with the base branch. */
export interface GateEntryPlan {
  name: string;
  paths: readonly string[];
  /** Its own files from the repository's root (its trace file): a change to one runs it. */
  files?: readonly string[];
  gate: GatePlan;
  policy: BaseBranchPolicy;
}

/** Many gates in one step (`config`), every entry valid. */
export interface GatesPlan {
  /** The config file, as the step named it. */
  config: string;
  /** Its path in the repository. */
  configPath: string;
  /** The files whose change runs every entry: the config file, the workflow. */
  definitions: StepDefinition[];
  entries: GateEntryPlan[];
  /** Entries evaluated at once, at most. */
  atOnce: number;
}

/** What planning the entries needs beside the step's inputs. */
export interface GatesContext {
  change: ChangeContext;
  /** The workspace the config file is relative to (the repository's root). */
  cwd: string;
  /** An environment variable of the step, by name (an entry's `token_env`), as the door reads it. */
  variable: (name: string) => string | undefined;
  /** What runs the step, beside the config file, as the door read it from its CI. */
  stepFiles: readonly StepDefinition[];
  /** The gate inputs an entry may set. */
  inputNames: readonly string[];
  /** The door's advice on the config file itself (the action's by default). */
  words?: ConfigWords;
}

/** The input a problem is about, as it names it first (``Input `project_id` is required``). */
const problemInput = (problem: string): string | undefined =>
  /^Input `([a-z_]+)`/.exec(problem)?.[1];

/** A backend's id as the inputs name it (the default when none does); an unknown one stays as given, for its input error. */
const backendIdOf = (given: string | undefined): string =>
  given?.trim().toLowerCase() || BACKEND_IDS[0];

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
    ...(inputs.regression_alpha === undefined ? {} : { regressionAlpha: inputs.regression_alpha }),
  };
}

/** A problem of an input's own value (``Input `max_unsafe` is "none", not a number``), not of how inputs go together. */
const STEP_VALUE_PROBLEM = /^Input `[a-z_]+` is "/;

/** The inputs `raw` sets (a value that is not empty), but `config`. */
const setIn = (raw: RawInputs): Set<string> =>
  new Set(Object.keys(raw).filter((name) => name !== 'config' && raw[name]?.trim()));

/**
 * The step's own input problems, each as the step's (``Input `min_pass_rate` is "abc"…``): its
 * inputs planned alone, and only the problems of an input it sets. An entry that inherits the
 * value does not repeat it; one that sets its own does not hide it.
 */
async function stepProblems(raw: RawInputs, change: ChangeContext): Promise<string[]> {
  const set = setIn(raw);
  try {
    // Its trace file is read by the entries that inherit it, not once more for the step.
    await planGate({ ...raw, config: '', ...(raw.trace_file ? { trace_file: '' } : {}) }, change);
    return [];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.problems.filter((problem) => set.has(problemInput(problem) ?? ''));
  }
}

/**
 * Reads the config file and plans every entry as its own gate: the step's inputs, then the
 * entry's over them (an entry's `trace_id` replaces the step's `trace_file`: the backend's
 * `alternatives`), and its credential from `token_env`. Throws one {@link InputError} with every
 * problem of the file, of the step's inputs (said once, as the step's) and of every entry (each
 * naming its entry, the key as the file spells it). Returns the plan and the credentials read.
 */
export async function planGates(
  stepRaw: RawInputs,
  context: GatesContext,
): Promise<{ plan: GatesPlan; secrets: string[] }> {
  // What the step allows the entries is read here, once; no entry inherits it.
  const { allowance, problems: allowanceProblems } = readAllowance(stepRaw);
  const raw: RawInputs = Object.fromEntries(
    Object.entries(stepRaw).filter(
      ([name]) => !(ALLOWANCE_INPUTS as readonly string[]).includes(name),
    ),
  );
  const config: GatesConfig = await readGatesConfig(
    raw.config ?? '',
    context.cwd,
    context.inputNames,
    context.words,
  );
  const file = `\`${config.file}\``;
  const secrets: string[] = [];
  const stepBackend = backendIdOf(raw.backend);
  const stepToken = (raw.token ?? '').trim();
  // The step's reporting credentials: never an entry's, wherever the entry's backend is.
  const reportingTokens = [raw.github_token, raw.gitlab_token]
    .map((value) => value?.trim())
    .filter((value): value is string => Boolean(value));
  const stepCandidates = await stepProblems(raw, context.change);
  // The step's problems entries inherit: said once, as the step's, not with each entry.
  const inheritedHit = new Set<string>();
  const planned = await Promise.all(
    config.entries.map(async (entry, index) => {
      // A variable the step does not allow is never read: the file alone cannot choose it.
      const reads =
        BACKENDS.find((b) => b.id === backendIdOf(entry.inputs.backend ?? raw.backend))?.evaluates
          .kind === 'reads';
      // A backend that reads a file has no credential: a `token_env` would name one for nothing.
      const refusedVariable =
        entry.tokenEnv &&
        (reads
          ? '`token_env` is not read by a backend that reads a file the workflow wrote (no credential): remove it'
          : tokenEnvProblem(entry.tokenEnv, allowance));
      const given =
        entry.tokenEnv && !refusedVariable
          ? (context.variable(entry.tokenEnv) ?? '').trim()
          : undefined;
      if (given) secrets.push(given);
      const backend = backendIdOf(entry.inputs.backend ?? raw.backend);
      const known = BACKEND_IDS.includes(backend);
      // An entry's own API root never gets the step's credential: the file would choose where it goes.
      const ownOrigin =
        entry.inputs.base_url !== undefined &&
        entry.inputs.base_url.replace(/\/+$/, '') !==
          (raw.base_url ?? '').trim().replace(/\/+$/, '');
      const refusedRoot =
        entry.inputs.base_url === undefined
          ? undefined
          : baseUrlProblem(entry.inputs.base_url, {
              stepBaseUrl: raw.base_url,
              publicUrl: publicUrlOf(backend),
              allowance,
            });
      const inherited = inheritedBy(raw, stepBackend, backend, entry.inputs);
      const entryRaw: RawInputs = {
        ...(ownOrigin || refusedVariable ? { ...inherited, token: '' } : inherited),
        config: '',
        ...entry.inputs,
        ...(given === undefined ? {} : { token: given }),
      };
      const credential =
        refusedVariable ||
        // A backend that reads a file has no credential to choose; a `token_env` it was given is said by its plan.
        (reads
          ? undefined
          : credentialProblem(entry.tokenEnv, given, {
              backend: known ? backend : undefined,
              stepBackend,
              ownOrigin,
              stepToken,
              reportingTokens,
            }));
      const traceFile = entry.inputs.trace_file;
      const traceProblem =
        traceFile === undefined || inWorkspace(traceFile, context.cwd)
          ? undefined
          : `is "${excerpt(traceFile, 120)}", outside the workspace; name a file in the repository (a step before this one writes it there, e.g. \`traces/support.json\`)`;
      const change = {
        ...context.change,
        gateKey: `${context.change.gateKey}/gate:${entry.name || `#${index + 1}`}`,
      };
      const problems = [
        ...entry.problems,
        ...(refusedRoot ? [refusedRoot] : []),
        ...(credential ? [credential] : []),
        ...(traceProblem ? [`\`trace_file\` ${traceProblem}`] : []),
      ];
      try {
        const gate = await planGate(
          traceProblem ? { ...entryRaw, trace_file: '' } : entryRaw,
          change,
          context.cwd,
        );
        return { entry, gate, problems };
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        const set = new Set(Object.keys(entry.inputs));
        const own = error.problems
          // A missing token is said once, through `token_env`; the step's problems once, as the step's.
          .filter((p) => !(credential && /^Input `token`/.test(p)))
          .filter((p) => {
            const inherited = stepCandidates.includes(p) && !set.has(problemInput(p) ?? '');
            if (inherited) inheritedHit.add(p);
            return !inherited;
          })
          .map((p) =>
            /^Input `token` is required/.test(p)
              ? "Input `token` is required: set the step's `token` (a secret), or name the variable that holds this entry's credential with `token_env`"
              : p,
          );
        return { entry, problems: [...problems, ...own] };
      }
    }),
  );
  // A step input's problem is the step's when an entry inherits it with that problem, or when its
  // value is wrong whoever reads it (`"abc"` for a number); a rule that holds for every entry
  // that reads the input (`max_repeats` beside entries' `repeats: auto`) is no problem.
  const fromStep = stepCandidates.filter((p) => inheritedHit.has(p) || STEP_VALUE_PROBLEM.test(p));
  // A problem every entry has, of an input none of them sets (the step's `project_id` missing), is said once, as the step's.
  const shared = (planned[0]?.problems ?? []).filter(
    (problem) =>
      planned.length > 1 &&
      /^Input `/.test(problem) &&
      planned.every((p) => p.problems.includes(problem)) &&
      !planned.some((p) => Object.hasOwn(p.entry.inputs, problemInput(problem) ?? '')),
  );
  const entryProblems = planned.flatMap(({ entry, problems }) =>
    problems
      .filter((problem) => !shared.includes(problem))
      .map((problem) =>
        entryProblem(file, entry.label, problem.replace(/^Input /, '').replace(/\.$/, '')),
      ),
  );
  // Said of every entry, in the file's words: the fix may be one value on the step, or one in each entry.
  const everyEntry = shared.map(
    (problem) =>
      `In ${file}, every gate: ${problem.replace(/^Input /, '').replace(/\.$/, '')}; no entry sets it, nor the step: set it in each entry, or on the step for all`,
  );
  const problems = [
    ...config.problems,
    ...allowanceProblems,
    ...fromStep,
    ...everyEntry,
    ...entryProblems,
  ];
  if (problems.length > 0) throw new InputError(problems);
  return {
    plan: {
      config: config.file,
      configPath: config.repositoryPath,
      definitions: stepDefinitions(config, context.stepFiles),
      entries: planned.map(({ entry, gate }) => {
        const plannedGate = gate as GatePlan;
        const trace = entry.inputs.trace_file;
        return {
          name: entry.name,
          paths: entry.paths,
          ...(trace ? { files: [repositoryPathOf(trace, context.cwd)] } : {}),
          gate: plannedGate,
          policy: policyOf(plannedGate),
        };
      }),
      atOnce: GATES_AT_ONCE,
    },
    secrets,
  };
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { VARIABLE_NAME } from '../inputs/common-fields.js';
import { closestName } from '../inputs/undeclared.js';
import { InputError } from '../support/errors.js';
import { excerpt } from '../support/text.js';
import { globProblem } from './select.js';
import { ACTION_CONFIG_WORDS, type ConfigWords } from './words.js';
import { inWorkspace, repositoryPathOf } from './workspace.js';

/** An entry's name: it keys the entry's baselines and history, and names its section and JUnit suite. */
export const GATE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Entries a config file may hold: one check's comment must still read. */
export const MAX_GATES = 100;
/** Globs an entry may list. */
export const MAX_PATHS = 100;
const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * The runner's, GitHub's and GitLab's own variables (the job's `GITHUB_TOKEN`, `CI_JOB_TOKEN`)
 * and the command line's (`GATE_TOKEN`, the step's own credential): an entry that names one
 * would send it to the backend the file sets, which no such credential is for.
 */
export const STEP_VARIABLE_PREFIXES = [
  'GITHUB_',
  'ACTIONS_',
  'RUNNER_',
  'INPUT_',
  'GATE_',
  'CI_',
  'GITLAB_',
  // Other CIs' own credentials (Buildkite's agent token, Azure's SYSTEM_ACCESSTOKEN, CircleCI's, Bitbucket's).
  'BUILDKITE_',
  'SYSTEM_',
  'CIRCLE_',
  'BITBUCKET_',
] as const;
/** A variable of the runner, of a CI or of this gate (`STEP_VARIABLE_PREFIXES`): never an entry's credential. */
export const STEP_VARIABLE = new RegExp(`^(${STEP_VARIABLE_PREFIXES.join('|')})`, 'i');

/** The keys of an entry that are not gate inputs. */
export const ENTRY_KEYS = {
  name: "The entry's name (letters, digits, `.`, `_`, `-`; unique): it keys the entry's baselines and history, and names its section of the check.",
  paths:
    'Globs of repository paths the entry evaluates (`!` excludes; only exclusions: every other path; dot files match; `**` is any number of folders). The entry runs when a changed file matches; without `paths` it always runs.',
  token_env:
    "The environment variable that holds this entry's backend credential (e.g. `TRULAYER_API_KEY`); the step's `allowed_token_env` must list it. Without it the step's `token` is used. Credentials are never written in the file.",
} as const;

/**
 * Gate inputs an entry may not set, and why: they are the step's, one for every entry (one check
 * has one conclusion and one commit), or secrets, which are never in the file.
 */
export const STEP_ONLY_INPUTS: Readonly<Record<string, string>> = {
  token:
    'a credential is never written in the file: put it in a secret, pass it to the step as an environment variable, and name that variable with `token_env`',
  mode: 'one check has one conclusion: set `mode` on the step',
  config: 'a config file names no other',
  shard: 'a config file of gates runs in one step, not in matrix legs',
  aggregate: 'a config file of gates runs in one step, not in matrix legs',
  expected_shards: 'a config file of gates runs in one step, not in matrix legs',
  head_sha: 'every entry judges the same commit: set `head_sha` on the step',
  pull_request_number: 'every entry judges the same pull request: set it on the step',
  check_name: 'every entry reports in the one check: set `check_name` on the step',
  comment: 'every entry reports in the one comment: set `comment` on the step',
  github_token: "GitHub reporting is the step's: set `github_token` on the step",
  baseline: 'the base branch is read once for every entry: set `baseline` on the step',
  accept_permission: 'it is read by `/gate accept`, on the step',
  github_api_url: "GitHub reporting is the step's: set it on the step",
  repository: 'every entry judges the same repository: set it on the step',
  gitlab_token: "the merge request note is the step's: set it on the step",
  allowed_token_env:
    "the file comes with the change and may not allow itself: list the variables in the step's input `allowed_token_env`, where the step is defined (the workflow or pipeline)",
  allowed_base_urls:
    "the file comes with the change and may not allow itself: list the API roots in the step's input `allowed_base_urls`, where the step is defined (the workflow or pipeline)",
};

/** One entry of the config file, read and shaped: its inputs as the runner would hand them over (strings). */
export interface ConfigEntry {
  /** How its problems name it: `` `support-agent` ``, or its place (`#3`, `` #4 (`support-agent`) ``) when its name cannot. */
  label: string;
  /** Its name; empty when it has none that is valid (then `problems` says so). */
  name: string;
  paths: string[];
  tokenEnv?: string;
  /** The gate inputs it sets, by input name; YAML numbers and booleans as strings (a key refused is left out). */
  inputs: Record<string, string>;
  /** What is wrong with it as written, each a clause naming the key as the file spells it. */
  problems: string[];
}

/** The config file, read. */
export interface GatesConfig {
  /** The file as the step named it. */
  file: string;
  /** The file's path from `cwd` (the repository's root), `/`-separated: a change to it runs every entry. */
  repositoryPath: string;
  /** Every entry, those with problems too: each is planned, so that all its problems are said at once. */
  entries: ConfigEntry[];
  /** The file's own problems (beside its entries'), as sentences. */
  problems: string[];
}

/** How an entry's problem reads: the file and the entry first, then the key as the file spells it. */
export const entryProblem = (file: string, entry: string, problem: string) =>
  `In ${file}, gate ${entry}: ${problem}`;

/** Tells an entry's problem from a step input's (the command line leaves the file's keys as they are). */
export const ENTRY_PROBLEM = /^In .+?, (?:gate .+?|every gate): /;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Reads the config file `path` (relative to `cwd`): YAML 1.2, `gates:` a list of entries, each
 * with a unique `name`, its `paths` and the gate inputs it sets (`inputNames` are the declared
 * ones; `words`: the door's advice). Throws an {@link InputError} only when the file cannot be read as a list of entries;
 * every entry's own problems are returned with it, for the plan to say with its inputs'.
 */
export async function readGatesConfig(
  path: string,
  cwd: string,
  inputNames: readonly string[],
  words: ConfigWords = ACTION_CONFIG_WORDS,
): Promise<GatesConfig> {
  const file = `\`${excerpt(path, 200)}\``;
  const absolute = resolve(cwd, path);
  const repositoryPath = repositoryPathOf(path, cwd);
  // `${{ github.workspace }}/.github/gates.yml` is in the workspace; `/etc/x` and `../x` are not.
  if (!inWorkspace(path, cwd))
    throw new InputError(
      `Input \`config\` is ${file}, outside the workspace; name a file in the repository, e.g. \`.github/reliability-gates.yml\``,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `Input \`config\` names ${file}, which ${code === 'ENOENT' ? `does not exist (${words.missingFile})` : `cannot be read (${code ?? 'error'})`}`,
    );
  }
  if (bytes.length > MAX_CONFIG_BYTES)
    throw new InputError(
      `Input \`config\`: ${file} is larger than 1 MiB; it lists gates, not data`,
    );
  const document = parseDocument(bytes.toString('utf8'), {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: true,
  });
  if (document.errors.length > 0)
    throw new InputError(
      document.errors.slice(0, 5).map((error) => {
        const at = error.linePos?.[0];
        const said = (error.message.split('\n')[0] ?? '').replace(
          / at line \d+, column \d+:?$/,
          '',
        );
        return `Input \`config\`: ${file} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${excerpt(said, 200)}`;
      }),
    );
  let json: unknown;
  try {
    json = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(
      `Input \`config\`: ${file} cannot be read as data (${excerpt((error as Error).message, 200)}); write its entries without aliases of aliases`,
    );
  }
  const top = z.object({ gates: z.array(z.unknown()).min(1).max(MAX_GATES) }).safeParse(json);
  if (!top.success) {
    const issue = top.error.issues[0];
    const keys = json && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
    const closest =
      keys.length > 0 && !keys.includes('gates')
        ? closestName(keys[0] as string, ['gates'])
        : undefined;
    throw new InputError(
      `Input \`config\`: ${file} must hold \`gates:\`, a list of 1 to ${MAX_GATES} entries${
        closest
          ? `; it has \`${excerpt(keys[0] as string, 40)}:\`, did you mean \`gates:\`?`
          : Array.isArray(json)
            ? '; it is a list: put it under `gates:`'
            : issue?.path.length
              ? ` (${issue.path.join('.')}: ${issue.message})`
              : ''
      }`,
    );
  }
  const problems: string[] = [];
  const extra = Object.keys(json as object).filter((key) => key !== 'gates');
  if (extra.length > 0)
    problems.push(
      `Input \`config\`: ${file} holds ${extra.map((key) => `\`${excerpt(key, 40)}:\``).join(', ')} beside \`gates:\`, which is all it holds; remove ${extra.length === 1 ? 'it' : 'them'}`,
    );
  const declared = new Set(inputNames);
  const firstOf = new Map<string, number>();
  const entries = top.data.gates.map((value, index): ConfigEntry => {
    const entryProblems: string[] = [];
    const said = (problem: string) => entryProblems.push(problem);
    const number = `#${index + 1}`;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      said('it is not a mapping of keys (`name:`, `paths:`, inputs), as every entry is');
      return { label: number, name: '', paths: [], inputs: {}, problems: entryProblems };
    }
    const fields = value as Record<string, unknown>;
    const name = typeof fields.name === 'string' ? fields.name.trim() : undefined;
    const valid = name !== undefined && GATE_NAME.test(name);
    const earlier = valid ? firstOf.get(name) : undefined;
    // A second entry of a name is told apart by its place: "gate #4 (`support-agent`)".
    const label = !valid
      ? number
      : earlier === undefined
        ? `\`${name}\``
        : `${number} (\`${name}\`)`;
    if (valid && name in Object.prototype)
      said(`\`name\` is "${name}", a word the record's keys cannot hold; choose another`);
    else if (!valid)
      said(
        `\`name\` ${name === undefined ? 'is required' : `is "${excerpt(name, 80)}"`}; write 1 to 64 letters, digits, \`.\`, \`_\` or \`-\``,
      );
    else if (earlier !== undefined)
      said(
        `its \`name\` is gate #${earlier + 1}'s too; each entry needs its own (it keys its baselines)`,
      );
    else firstOf.set(name, index);
    const paths = readPaths(fields.paths, said);
    let tokenEnv: string | undefined;
    if (fields.token_env !== undefined) {
      const variable = typeof fields.token_env === 'string' ? fields.token_env.trim() : '';
      if (STEP_VARIABLE.test(variable))
        said(
          `\`token_env\` names \`${excerpt(variable, 60)}\`, a variable of the runner, of the CI or of this gate (${STEP_VARIABLE_PREFIXES.map((prefix) => `\`${prefix}*\``).join(', ')}), never one backend entry's credential: name the variable you set from that backend's secret`,
        );
      else if (VARIABLE_NAME.test(variable)) tokenEnv = variable;
      else said('`token_env` must name an environment variable, e.g. `TRULAYER_API_KEY`');
    }
    const inputs: Record<string, string> = {};
    for (const [key, given] of Object.entries(fields)) {
      if (Object.hasOwn(ENTRY_KEYS, key)) continue;
      if (Object.hasOwn(STEP_ONLY_INPUTS, key)) {
        said(`\`${key}\` cannot be set for one entry: ${STEP_ONLY_INPUTS[key]}`);
        continue;
      }
      if (!declared.has(key)) {
        const closest = closestName(key.replaceAll('-', '_'), [
          ...declared,
          ...Object.keys(ENTRY_KEYS),
        ]);
        said(
          `\`${excerpt(key, 60)}\` is not a key of an entry${closest ? `; did you mean \`${closest}\`?` : ''} (a misspelt threshold is not read, and cannot hold the gate)`,
        );
        continue;
      }
      const scalar = Scalar.safeParse(given);
      if (!scalar.success) {
        said(
          `\`${key}\` must be one value (a number, a word, \`true\`), not ${given === null ? 'empty' : 'a list or a mapping'}`,
        );
        continue;
      }
      inputs[key] = String(scalar.data).trim();
    }
    return {
      label,
      name: valid ? name : '',
      paths,
      ...(tokenEnv ? { tokenEnv } : {}),
      inputs,
      problems: entryProblems,
    };
  });
  return { file: path, repositoryPath, entries, problems };
}

/** An entry's `paths`: one glob or a list of them; none is "always". */
function readPaths(value: unknown, problem: (said: string) => void): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  const parsed = z.array(z.string().trim().min(1)).min(1).max(MAX_PATHS).safeParse(list);
  if (!parsed.success) {
    problem(
      `\`paths\` must be a glob or a list of 1 to ${MAX_PATHS} globs (e.g. \`agents/support/**\`); leave it out for an entry that always runs`,
    );
    return [];
  }
  for (const glob of parsed.data) {
    const refused = globProblem(glob);
    if (refused) problem(`\`paths\`: ${refused}`);
  }
  return parsed.data;
}

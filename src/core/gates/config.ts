import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { closestName } from '../inputs/undeclared.js';
import { InputError } from '../support/errors.js';
import { excerpt } from '../support/text.js';

/** An entry's name: it keys the entry's baselines and history, and names its section and JUnit suite. */
export const GATE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Entries a config file may hold: one check's comment must still read. */
export const MAX_GATES = 100;
/** Globs an entry may list. */
export const MAX_PATHS = 100;
const MAX_CONFIG_BYTES = 1024 * 1024;
/** A variable name, as `token_env` names one. */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * The runner's and GitHub's own variables (the job's `GITHUB_TOKEN` among them): an entry that
 * names one would send it to the backend it sets, which no backend's credential is.
 */
const RUNNER_VARIABLE = /^(GITHUB_|ACTIONS_|RUNNER_|INPUT_)/i;

/** The keys of an entry that are not gate inputs. */
export const ENTRY_KEYS = {
  name: "The entry's name (letters, digits, `.`, `_`, `-`; unique): it keys the entry's baselines and history, and names its section of the check.",
  paths:
    'Globs of repository paths the entry evaluates (`!` excludes; only exclusions: every other path; dot files match; `**` is any number of folders). The entry runs when a changed file matches; without `paths` it always runs.',
  token_env:
    "The environment variable that holds this entry's backend credential (e.g. `TRULAYER_API_KEY`); without it the step's `token` is used. Credentials are never written in the file.",
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
};

/** One entry of the config file, read and shaped: its inputs as the runner would hand them over (strings). */
export interface ConfigEntry {
  name: string;
  paths: string[];
  tokenEnv?: string;
  /** The gate inputs it sets, by input name; YAML numbers and booleans as strings. */
  inputs: Record<string, string>;
}

/** The config file, read. */
export interface GatesConfig {
  /** The file as the step named it. */
  file: string;
  /** The file's path from `cwd` (the repository's root), `/`-separated: a change to it runs every entry. */
  repositoryPath: string;
  entries: ConfigEntry[];
}

/** How an entry's problem reads: the file and the entry first, then the key as the file spells it. */
export const entryProblem = (file: string, entry: string, problem: string) =>
  `In ${file}, gate ${entry}: ${problem}`;

/** Tells an entry's problem from a step input's (the command line leaves the file's keys as they are). */
export const ENTRY_PROBLEM = /^In .+?, gate .+?: /;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Reads and checks the config file `path` (relative to `cwd`): YAML 1.2, `gates:` a list of
 * entries, each with a unique `name`, its `paths` and the gate inputs it sets (`inputNames` are
 * the declared ones). Throws one {@link InputError} with every problem, each naming its entry.
 */
export async function readGatesConfig(
  path: string,
  cwd: string,
  inputNames: readonly string[],
): Promise<GatesConfig> {
  const file = `\`${excerpt(path, 200)}\``;
  const absolute = resolve(cwd, path);
  const repositoryPath = relative(cwd, absolute).split(sep).join('/');
  if (isAbsolute(path) || repositoryPath.startsWith('..'))
    throw new InputError(
      `Input \`config\` is ${file}, outside the workspace; name a file in the repository, e.g. \`.github/reliability-gates.yml\``,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `Input \`config\` names ${file}, which ${code === 'ENOENT' ? 'does not exist (check out the repository first, e.g. with actions/checkout)' : `cannot be read (${code ?? 'error'})`}`,
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
  const json: unknown = document.toJS({ maxAliasCount: 100 });
  const shape = z
    .object({ gates: z.array(z.unknown()).min(1).max(MAX_GATES) })
    .strict()
    .safeParse(json);
  if (!shape.success)
    throw new InputError(
      `Input \`config\`: ${file} must hold \`gates:\`, a list of 1 to ${MAX_GATES} entries, and nothing else (${shape.error.issues[0]?.path.join('.') || 'the file'}: ${shape.error.issues[0]?.message})`,
    );
  const declared = new Set(inputNames);
  const problems: string[] = [];
  const names = new Set<string>();
  const entries = shape.data.gates.flatMap((value, index): ConfigEntry[] => {
    const said = (entry: string, problem: string) =>
      problems.push(entryProblem(file, entry, problem));
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      said(`#${index + 1}`, 'is not a mapping of keys (`name:`, `paths:`, inputs)');
      return [];
    }
    const fields = value as Record<string, unknown>;
    const name = typeof fields.name === 'string' ? fields.name.trim() : undefined;
    const label = name && GATE_NAME.test(name) ? `\`${name}\`` : `#${index + 1}`;
    if (name && GATE_NAME.test(name) && name in Object.prototype)
      said(label, `\`name\` is "${name}", a word the record's keys cannot hold; choose another`);
    else if (!name || !GATE_NAME.test(name))
      said(
        label,
        `\`name\` ${name === undefined ? 'is required' : `is "${excerpt(name, 80)}"`}; write 1 to 64 letters, digits, \`.\`, \`_\` or \`-\``,
      );
    else if (names.has(name))
      said(
        label,
        'its `name` is used by another entry; each entry needs its own (it keys its baselines)',
      );
    else names.add(name);
    const paths = readPaths(fields.paths, (problem) => said(label, problem));
    let tokenEnv: string | undefined;
    if (fields.token_env !== undefined) {
      const variable = typeof fields.token_env === 'string' ? fields.token_env.trim() : '';
      if (RUNNER_VARIABLE.test(variable))
        said(
          label,
          `\`token_env\` names \`${excerpt(variable, 60)}\`, a variable of the runner or of GitHub (\`GITHUB_*\`, \`ACTIONS_*\`, \`RUNNER_*\`, \`INPUT_*\`), never a backend's credential: name the variable you set from the backend's secret`,
        );
      else if (VARIABLE.test(variable)) tokenEnv = variable;
      else said(label, '`token_env` must name an environment variable, e.g. `TRULAYER_API_KEY`');
    }
    const inputs: Record<string, string> = {};
    for (const [key, given] of Object.entries(fields)) {
      if (Object.hasOwn(ENTRY_KEYS, key)) continue;
      if (Object.hasOwn(STEP_ONLY_INPUTS, key)) {
        said(label, `\`${key}\` cannot be set for one entry: ${STEP_ONLY_INPUTS[key]}`);
        continue;
      }
      if (!declared.has(key)) {
        const closest = closestName(key, [...declared, ...Object.keys(ENTRY_KEYS)]);
        said(
          label,
          `\`${excerpt(key, 60)}\` is not a key of an entry${closest ? `; did you mean \`${closest}\`?` : ''} (a misspelt threshold is not read, and cannot hold the gate)`,
        );
        continue;
      }
      const scalar = Scalar.safeParse(given);
      if (!scalar.success) {
        said(
          label,
          `\`${key}\` must be one value (a number, a word, \`true\`), not ${given === null ? 'empty' : 'a list or a mapping'}`,
        );
        continue;
      }
      inputs[key] = String(scalar.data).trim();
    }
    return name && GATE_NAME.test(name)
      ? [{ name, paths, ...(tokenEnv ? { tokenEnv } : {}), inputs }]
      : [];
  });
  if (problems.length > 0) throw new InputError(problems);
  return { file: path, repositoryPath, entries };
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
  return parsed.data;
}

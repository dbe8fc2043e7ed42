import * as core from '@actions/core';
import { type DeclaredInput, declaredInputs } from '../core/inputs/declare.js';
import { CLI_GITHUB_INPUTS, GitHubInputs } from '../report/github/inputs.js';
import { GITLAB_INPUTS } from '../report/gitlab/inputs.js';
import { parseInputs, type RawInputs } from '../core/inputs/fields.js';
import { undeclaredNames } from '../core/inputs/undeclared.js';
import { GATE_INPUTS } from '../core/backends/vocabulary.js';

/** Every input of the action, in action.yml's order: the gate's, then GitHub reporting's. */
export const ACTION_INPUTS: readonly DeclaredInput[] = [
  ...GATE_INPUTS,
  ...declaredInputs(GitHubInputs),
];

/** The runner's variable for an input: `INPUT_` and the name, spaces as `_`, upper case (as `core.getInput` reads it). */
const variableOf = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** What the runner handed the step: the declared inputs, and the `with:` keys the action does not declare. */
export interface RunnerInputs {
  raw: RawInputs;
  /** Keys of `with:` that no input of action.yml has (the runner passes every key, declared or not), lower case. */
  undeclared: string[];
}

/**
 * The default action.yml declares for an input, which the runner sets as `INPUT_*` whenever the
 * step leaves the input out. A backend's own defaults stay out of action.yml: they depend on
 * the backend chosen, so the backend applies them.
 */
export const runnerDefault = (input: DeclaredInput): string | undefined =>
  input.backend ? undefined : input.default;

/**
 * Reads every input from the runner and masks every secret one before anything else runs.
 *
 * The runner sets every input that action.yml gives a `default:` to that default, whether the
 * workflow wrote it or not, so the action cannot tell the two apart. The choice, made once here:
 * action.yml keeps declaring its defaults (users read them there), and a value equal to its
 * declared default reads as left out (CONTRACT.md, section 1). Every rule over inputs ("read
 * only with `repeats: auto`", "not read by an `aggregate` step") then sees only what the
 * workflow changed; each schema reads an empty value as its default (a test holds them to it).
 */
export function readRawInputs(env: NodeJS.ProcessEnv = process.env): RunnerInputs {
  const raw = Object.fromEntries(
    ACTION_INPUTS.map((input) => {
      // As `core.getInput` reads it, from `env`: trimmed, empty when not set.
      const value = (env[variableOf(input.name)] ?? '').trim();
      return [input.name, value === runnerDefault(input) ? '' : value];
    }),
  );
  for (const input of ACTION_INPUTS) {
    const value = raw[input.name];
    if (input.secret && value) core.setSecret(value);
  }
  const declared = new Set(ACTION_INPUTS.map((input) => variableOf(input.name)));
  const undeclared = Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && !declared.has(key.toUpperCase()))
    .map((key) => key.slice('INPUT_'.length).toLowerCase());
  return { raw, undeclared };
}

/** One sentence per `with:` key the action does not declare, naming the closest input; the value is never repeated. */
export function undeclaredInputProblems(undeclared: readonly string[]): string[] {
  return undeclaredNames(
    undeclared,
    ACTION_INPUTS.map((input) => input.name),
  ).map(({ name, closest }) =>
    CLI_ONLY.has(name)
      ? `Input \`${name}\` is read by the command line only (reporting from another CI); the action reports on GitHub with \`github_token\`: remove it`
      : `Input \`${name}\` is not an input of this action${closest ? `; did you mean \`${closest}\`?` : '.'} Fix or remove it: a misspelt input is not read, and a threshold that is not read cannot hold the gate`,
  );
}

/** The command line's own inputs (a GitLab note, a repository named by hand): named apart from typos. */
const CLI_ONLY = new Set(
  [...CLI_GITHUB_INPUTS, ...GITLAB_INPUTS]
    .filter((input) => !ACTION_INPUTS.some((own) => own.name === input.name))
    .map((input) => input.name),
);

export type { GitHubInputs };

/** The GitHub reporting inputs, validated. */
export function parseGitHubInputs(raw: RawInputs): GitHubInputs {
  return parseInputs(GitHubInputs, raw);
}

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { TREND_STYLES, type TrendStyle } from '../core/render/trend.js';
import { type DeclaredInput, flagOf } from '../core/inputs/declare.js';
import type { RawInputs } from '../core/inputs/fields.js';
import { closestName, undeclaredNames } from '../core/inputs/undeclared.js';
import { GATE_INPUTS } from '../core/backends/vocabulary.js';
import { ENTRY_PROBLEM } from '../core/gates/config.js';
import { CLI_GITHUB_INPUTS } from '../report/github/inputs.js';
import { GITLAB_INPUTS } from '../report/gitlab/inputs.js';

/** The command line's own flags: where its files go, and how much it says. */
export const CLI_FLAGS = [
  {
    name: 'report',
    value: 'FILE',
    description:
      "Write the whole verdict as JSON (the same format as the GitHub Action's report file).",
  },
  {
    name: 'junit',
    value: 'FILE',
    description:
      'Write JUnit XML: one test case for the decision, one per threshold and one per case of a backend with cases (GitLab, Jenkins).',
  },
  {
    name: 'markdown',
    value: 'FILE',
    description: 'Write the summary as markdown, e.g. for a merge-request note.',
  },
  {
    name: 'markdown-chart',
    value: 'STYLE',
    description:
      "How --markdown draws the base branch's trend: mermaid (a chart, as GitLab notes and GitHub comments render it; the default) or sparkline (one line of ▁▂▃▄▅▆▇█, for a page that does not render Mermaid).",
  },
  {
    name: 'baseline-report',
    value: 'FILE',
    description:
      "Compare with this report file of the default branch (e.g. the last main pipeline's --report artifact, written with its commit: CI_COMMIT_SHA, GIT_COMMIT or --head-sha): deltas, --max-pass-rate-drop / --max-reliability-drop. A file that is missing, is no report or names no commit is bad input (leave the flag out when there is none yet); a report of another backend, check or evaluation is no baseline, and --on-missing-baseline decides.",
  },
  {
    name: 'history-dir',
    value: 'DIR',
    description:
      "Earlier --report files of the default branch (e.g. its last pipelines' artifacts): the newest --history of them are read beside the verdict, each failing tool marked new or known, the trend drawn; the newest is the baseline unless --baseline-report names one.",
  },
  {
    name: 'changed-files',
    value: 'FILE',
    description:
      'With --config: the paths the change touches, one a line or NUL-separated (e.g. from `git diff --name-only --no-renames`, with or without -z; names git quotes are read as git means them); only the gates whose paths match run.',
  },
  {
    name: 'changed-since',
    value: 'REF',
    description:
      'With --config: the gates whose paths match `git diff --name-only --no-renames REF...HEAD` run (default on a GitLab merge request: CI_MERGE_REQUEST_DIFF_BASE_SHA). Without either, every gate runs.',
  },
  { name: 'verbose', description: 'Also print debug lines (every request and its status).' },
  { name: 'help', short: 'h', description: 'Print this help and exit.' },
  { name: 'version', description: 'Print the version and exit.' },
] as const;

/** What the command line was asked to do. */
export interface CliRequest {
  /** Every gate input, from its flag or its `GATE_*` variable (a flag wins). */
  inputs: RawInputs;
  report?: string;
  junit?: string;
  markdown?: string;
  /** How the markdown file draws the trend (`--markdown-chart`; default `mermaid`). */
  markdownChart?: TrendStyle;
  /** A report file of the default branch to compare with. */
  baselineReport?: string;
  /** A folder of earlier report files of the default branch: the history. */
  historyDir?: string;
  /** With `--config`: a file of the paths the change touches (`--changed-files`). */
  changedFiles?: string;
  /** With `--config`: the git revision the change is compared with (`--changed-since`). */
  changedSince?: string;
  verbose: boolean;
  help: boolean;
  version: boolean;
  /** What is wrong with the flags and variables themselves, one sentence each, in the command line's words. */
  problems: string[];
}

/** The inputs the command line reads: the gate's, GitHub reporting's from another CI, and GitLab's note. */
export const CLI_INPUTS: readonly DeclaredInput[] = [
  ...GATE_INPUTS.filter((input) => !input.actionOnly),
  ...CLI_GITHUB_INPUTS,
  ...GITLAB_INPUTS,
];

export { flagOf };
/** `trace_file` → `GATE_TRACE_FILE`. */
export const variableOf = (name: string) => `GATE_${name.toUpperCase()}`;

/**
 * Reads flags and `GATE_*` variables. Nothing the user wrote is dropped in silence and no value
 * is ever repeated (it may be a secret): an unknown flag or `GATE_*` variable, a flag without
 * its value, a value after a switch or without a flag, a flag given twice, each is one line of
 * `problems`, naming the flag or variable and the closest one that exists.
 */
export function readRequest(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  const flags = new Map<string, { takesValue: boolean }>([
    ...CLI_INPUTS.map((input) => [input.name.replaceAll('_', '-'), { takesValue: true }] as const),
    ...CLI_FLAGS.map((flag) => [flag.name, { takesValue: 'value' in flag }] as const),
  ]);
  const shortOf = (name: string) => {
    const flag = CLI_FLAGS.find((f) => f.name === name);
    return flag && 'short' in flag ? flag.short : undefined;
  };
  const options = Object.fromEntries(
    [...flags].map(([name, spec]) => [
      name,
      {
        type: spec.takesValue ? ('string' as const) : ('boolean' as const),
        ...(shortOf(name) ? { short: shortOf(name) } : {}),
      },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string | true>();
  const problems: string[] = [];
  // A word after a switch or an unknown flag belongs to it: it is said once, with that flag.
  let owner: { flag: string; known: boolean } | undefined;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!owner)
        problems.push(
          `Argument ${token.index + 1} has no flag before it; every value goes with its flag, e.g. --trace-file trace.json`,
        );
      else if (owner.known)
        problems.push(`Flag ${owner.flag} takes no value, but a word follows it; remove the word`);
      owner = undefined;
      continue;
    }
    owner = undefined;
    const { name } = token;
    const flag = `--${name}`;
    const spec = flags.get(name);
    if (!spec) {
      problems.push(unknownFlag(token.rawName, [...flags.keys()]));
      if (token.value === undefined) owner = { flag, known: false };
      continue;
    }
    if (values.has(name)) problems.push(`Flag ${flag} is given twice; give it once`);
    if (!spec.takesValue) {
      if (token.value !== undefined)
        problems.push(`Flag ${flag} takes no value; write ${flag} alone`);
      else owner = { flag, known: true };
      values.set(name, true);
      continue;
    }
    // A value that is itself a flag means the value was forgotten (`--token --verbose`); `-0.02` is a value.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
      problems.push(`Flag ${flag} needs a value: write ${flag} VALUE (or ${flag}=VALUE)`);
    else values.set(name, token.value);
  }
  problems.push(...unknownVariables(env));
  const text = (name: string) => {
    const value = values.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const inputs = Object.fromEntries(
    CLI_INPUTS.map(({ name }) => [
      name,
      text(name.replaceAll('_', '-')) ?? env[variableOf(name)] ?? '',
    ]),
  );
  const chart = z.enum(TREND_STYLES).optional().safeParse(text('markdown-chart'));
  if (!chart.success)
    problems.push(
      `Flag --markdown-chart takes ${TREND_STYLES.join(' or ')}; write --markdown-chart ${TREND_STYLES[0]} or leave it out`,
    );
  return {
    inputs,
    report: text('report'),
    junit: text('junit'),
    markdown: text('markdown'),
    ...(chart.data ? { markdownChart: chart.data } : {}),
    baselineReport: text('baseline-report'),
    historyDir: text('history-dir'),
    changedFiles: text('changed-files'),
    changedSince: text('changed-since'),
    verbose: values.get('verbose') === true,
    help: values.get('help') === true,
    version: values.get('version') === true,
    problems,
  };
}

function unknownFlag(rawName: string, known: string[]): string {
  const typed = rawName.replace(/^-+/, '');
  const closest = closestName(typed, known);
  return `Unknown flag ${rawName}${closest ? `; did you mean --${closest}?` : '.'} See --help for every flag`;
}

/** `GATE_*` variables that name no input: a misspelt `GATE_MIN_PASS_RAT` would otherwise be a threshold never checked. */
function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const declared = CLI_INPUTS.map((input) => variableOf(input.name));
  const given = Object.keys(env).filter((key) => key.startsWith('GATE_') && env[key] !== undefined);
  return undeclaredNames(given, declared).map(
    ({ name, closest }) =>
      `Variable ${name} is not an input of the command line${closest ? `; did you mean ${closest}?` : ';'} Fix or unset it: a misspelt input is not read, and a threshold that is not read cannot hold the gate`,
  );
}

/**
 * A message written for the action (``Input `trace_file` …``) in the command line's words
 * (``--trace-file …``): every input it names becomes its flag, and `` `repeats: auto` ``
 * becomes `--repeats auto`.
 */
export function inFlagWords(message: string): string {
  // A list of problems is read a line at a time: an entry's lines keep the file's keys.
  if (message.includes('\n')) return message.split('\n').map(inFlagWords).join('\n');
  const inputs = new Map(CLI_INPUTS.map((input) => [input.name, input]));
  // A config file's keys are spelt as the file spells them, whichever door reads it; the step's
  // own inputs it points to ("the step's input `allowed_token_env`", "the step's `token`") as
  // the command line's.
  if (ENTRY_PROBLEM.test(message.replace(/^- /, '')))
    return message.replace(/the step's (?:own )?(?:input )?`([a-z_]+)`/g, (whole, name: string) =>
      inputs.has(name) ? `${flagOf(name)} / ${variableOf(name)}` : whole,
    );
  // A secret is set in a variable, never on a command line that `ps` and CI logs show.
  const word = (name: string) => (inputs.get(name)?.secret ? variableOf(name) : flagOf(name));
  return message
    .replace(/`([a-z_]+): ([^`]+)`/g, (whole, name: string, value: string) =>
      inputs.has(name) ? `${word(name)} ${value}` : whole,
    )
    .replace(/^Inputs are invalid:/, 'Flags are invalid:')
    .replace(/^(- )?Input (`[a-z_]+`)/gm, '$1$2')
    .replace(/`([a-z_]+)`/g, (whole, name: string) => (inputs.has(name) ? word(name) : whole));
}

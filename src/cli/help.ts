import type { DeclaredInput } from '../core/inputs/declare.js';
import { CLI_GITHUB_INPUTS } from '../report/github/inputs.js';
import { GITLAB_INPUTS } from '../report/gitlab/inputs.js';
import { CLI_FLAGS, CLI_INPUTS, flagOf, inFlagWords, variableOf } from './flags.js';

/** The width `--help` keeps within: a terminal's, and a CI log's without scrolling. */
export const HELP_WIDTH = 100;

/**
 * `text` in lines of at most `width` characters, each after `indent`; a word longer than the
 * line (a URL) stands alone on its line.
 */
export function wrap(text: string, indent: string, width = HELP_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** `--help`: every flag, from the same declarations as action.yml's inputs, within {@link HELP_WIDTH} columns. */
export function helpText(): string {
  const input = (name: string, description: string, extra: string[]) =>
    `  ${flagOf(name)} VALUE\n${wrap(`${inFlagWords(description)}${extra.length ? ` (${extra.join('; ')})` : ''}`, '      ')}`;
  const shared = CLI_INPUTS.filter((i) => !i.backend && !i.cliOnly).map((i) =>
    input(i.name, i.description, [
      ...(i.required ? ['required'] : []),
      ...(i.default !== undefined ? [`default: ${i.default}`] : []),
      `env ${variableOf(i.name)}`,
    ]),
  );
  // A secret is best given in its variable, never on a command line that `ps` and CI logs show.
  const reporting = (inputs: readonly DeclaredInput[]) =>
    inputs.map((i) =>
      i.secret
        ? `  ${variableOf(i.name)} (or ${flagOf(i.name)} VALUE)\n${wrap(inFlagWords(i.description), '      ')}`
        : input(i.name, i.description, [
            ...(i.default !== undefined ? [`default: ${i.default}`] : []),
            `env ${variableOf(i.name)}`,
          ]),
    );
  const backends = [...new Set(CLI_INPUTS.flatMap((i) => (i.backend ? [i.backend] : [])))];
  const own = backends.flatMap((backend) => [
    '',
    `${backend}:`,
    ...CLI_INPUTS.filter((i) => i.backend === backend).map((i) =>
      input(i.name, i.description, [`env ${variableOf(i.name)}`]),
    ),
  ]);
  const flags = CLI_FLAGS.map(
    (f) =>
      `  ${'short' in f ? `-${f.short}, ` : ''}--${f.name}${'value' in f ? ` ${f.value}` : ''}\n${wrap(f.description, '      ')}`,
  );
  const paragraph = (text: string) => wrap(text, '');
  return [
    "agent-reliability-gate: gate a change on an AI agent's reliability evaluation, in any CI.",
    '',
    'Usage: agent-reliability-gate [flags]',
    '  e.g. agent-reliability-gate --trace-file trace.json --campaign-name refund-reliability \\',
    '         --min-pass-rate 0.85 --junit gate.xml --markdown gate.md',
    '  (with GATE_TOKEN and GATE_PROJECT_ID set)',
    '',
    paragraph(
      'Exit status: 0 pass or warn, 1 fail (a regression), 2 bad input (nothing was sent), 3 could not evaluate (the backend could not be reached or gave no verdict: an outage, not a regression; with many gates or shards, 3 only when none failed as a regression). With --mode soft or observe, a fail exits 0.',
    ),
    paragraph(
      "Every input is a flag or a GATE_<INPUT> variable; a flag wins. The repository, merge request and commit come from the CI's own variables (GitLab, GitHub Actions, Jenkins, Buildkite, CircleCI).",
    ),
    '',
    'Gate:',
    ...shared,
    ...own,
    '',
    paragraph(
      'GitHub (from Jenkins, Buildkite, CircleCI: the check run, the sticky comment on the pull request, the baseline):',
    ),
    ...reporting(CLI_GITHUB_INPUTS),
    '',
    paragraph(
      'Merge-request note (GitLab, in a merge-request pipeline: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID):',
    ),
    ...reporting(GITLAB_INPUTS),
    '',
    'Output:',
    ...flags,
    '',
  ].join('\n');
}

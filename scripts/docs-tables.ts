/**
 * The inputs and outputs tables of the user docs, made from the same declarations as action.yml
 * (src/action/manifest.ts): the full tables in docs/inputs.md, and the short table of the common
 * inputs in README.md. `npm run action-yml` writes them between their markers; a test holds the
 * files to them.
 */
import { actionManifest, type ManifestEntry } from '../src/action/manifest.js';

/** The inputs most workflows set, in the order the README's short table lists them. */
export const COMMON_INPUTS = [
  'backend',
  'token',
  'project_id',
  'trace_file',
  'campaign_name',
  'results_file',
  'min_pass_rate',
  'max_unsafe',
  'max_pass_rate_drop',
  'mode',
  'repeats',
  'timeout',
  'check_name',
  'github_token',
  'config',
] as const;

/** The outputs most workflows read, in the order the README's short table lists them. */
export const COMMON_OUTPUTS = [
  'decision',
  'reason',
  'pass_rate',
  'dashboard_url',
  'baseline_sha',
  'report_file',
] as const;

/** A table cell: one line, and a `|` that does not end the cell. */
const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** A default as the table shows it: code, or **required**, or nothing. */
const defaultCell = (entry: ManifestEntry) =>
  entry.required ? '**required**' : entry.default === undefined ? '' : `\`${entry.default}\``;

/** The inputs table of `names` (every input when left out), in action.yml's words. */
export function inputsTable(names?: readonly string[]): string {
  const { inputs } = actionManifest();
  const rows = (names ?? Object.keys(inputs)).map((name) => {
    const entry = inputs[name];
    if (!entry) throw new Error(`docs-tables: action.yml declares no input \`${name}\``);
    return `| \`${name}\` | ${defaultCell(entry)} | ${cell(entry.description)} |`;
  });
  return ['| input | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The outputs table of `names` (every output when left out), in action.yml's words. */
export function outputsTable(names?: readonly string[]): string {
  const { outputs } = actionManifest();
  const rows = (names ?? Object.keys(outputs)).map((name) => {
    const entry = outputs[name];
    if (!entry) throw new Error(`docs-tables: action.yml declares no output \`${name}\``);
    return `| \`${name}\` | ${cell(entry.description)} |`;
  });
  return ['| output | meaning |', '| --- | --- |', ...rows].join('\n');
}

/** The opening marker of a generated block named `name`. */
export const startMarker = (name: string) =>
  `<!-- generated: ${name} (npm run action-yml; do not edit by hand) -->`;
/** The closing marker of a generated block named `name`. */
export const endMarker = (name: string) => `<!-- end generated: ${name} -->`;

/**
 * `text` with the block between the markers of `name` replaced by `body`. A file without both
 * markers, in order, is an error naming the file: the generator never silently writes nothing.
 */
export function replaceGenerated(text: string, file: string, name: string, body: string): string {
  const start = text.indexOf(startMarker(name));
  const end = text.indexOf(endMarker(name));
  if (start < 0 || end < start)
    throw new Error(
      `${file} has no generated block "${name}": put ${startMarker(name)} and ${endMarker(name)} where the table goes.`,
    );
  // Blank lines around the table: a table ends at a blank line, not at every renderer's comment.
  return `${text.slice(0, start)}${startMarker(name)}\n\n${body}\n\n${text.slice(end)}`;
}

/** README.md with its short tables of the common inputs and outputs as the declarations make them. */
export function generatedReadme(current: string): string {
  const withInputs = replaceGenerated(
    current,
    'README.md',
    'common inputs',
    inputsTable(COMMON_INPUTS),
  );
  return replaceGenerated(withInputs, 'README.md', 'common outputs', outputsTable(COMMON_OUTPUTS));
}

/** docs/inputs.md with every input and output as the declarations make them. */
export function generatedInputsPage(current: string): string {
  const withInputs = replaceGenerated(current, 'docs/inputs.md', 'inputs', inputsTable());
  return replaceGenerated(withInputs, 'docs/inputs.md', 'outputs', outputsTable());
}

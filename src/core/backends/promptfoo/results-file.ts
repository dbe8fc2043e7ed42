import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { inWorkspace } from '../../gates/workspace.js';
import { InputError, messageOf } from '../../support/errors.js';
import { excerpt, formatBytes, printableLine } from '../../support/text.js';
import { firstLine } from '../../cases/types.js';

/** The largest results file the gate reads: promptfoo writes about 5 KB a row. */
export const MAX_RESULTS_BYTES = 512 * 1024 * 1024;

/**
 * A test's vars, kept as JSON.parse made them. Not `z.record`: it copies by assignment, and a var
 * named `__proto__` (an own key of the parsed object) would drop out of the copy, so two tests
 * told apart by it would read as one case.
 */
const Vars = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { message: 'expected an object of vars' },
);

/**
 * One row of `results.results`, as promptfoo 0.123 writes it (`EvaluateResult`), and only what the
 * gate reads of it: zod's default (strip) builds each row from these keys alone, so the row's
 * output, token counts, metadata and grader details (most of its bytes) are never copied and go
 * with the parsed file. `failureReason` 0 passed, 1 an assertion failed, 2 the provider or a
 * grader did not finish (an error, not a sample).
 */
const Row = z.object({
  success: z.boolean(),
  failureReason: z.literal([0, 1, 2]),
  error: z.string().nullish(),
  testIdx: z.number().int().nonnegative(),
  promptIdx: z.number().int().nonnegative(),
  promptId: z.string().optional(),
  description: z.string().nullish(),
  testCase: z.object({
    description: z.string().nullish(),
    vars: Vars.nullish(),
    assert: z.unknown().optional(),
  }),
  vars: Vars.nullish(),
  prompt: z.object({ raw: z.string().optional(), label: z.string().optional() }),
  provider: z.object({ id: z.string(), label: z.string().nullish() }),
  cost: z.number().nonnegative().optional(),
  response: z.object({ cost: z.number().nonnegative().nullish() }).nullish(),
  gradingResult: z.object({ pass: z.boolean().optional(), reason: z.string().nullish() }).nullish(),
});
export type Row = z.infer<typeof Row>;

/** `results.stats`: promptfoo's own counts, checked against the rows. */
const Stats = z
  .object({
    successes: z.number().int().nonnegative(),
    failures: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
  })
  .loose();

/** What makes a file promptfoo's `OutputFile` at all; its version and rows are checked after. */
const OutputFile = z.object({
  evalId: z.string().nullish(),
  results: z.object({ version: z.number(), results: z.unknown(), stats: z.unknown() }),
  config: z.object({ description: z.string().nullish() }).nullish(),
  shareableUrl: z.string().nullish(),
});

/** A results file promptfoo wrote and the gate can judge. */
export interface ResultsFile {
  /** The suite's `description`, when its config has one: a base verdict of another suite is not comparable. */
  description?: string;
  evalId?: string;
  /** promptfoo's share link, when it made one (an https URL only). */
  shareableUrl?: string;
  rows: Row[];
}

/**
 * Reads and checks the results file `promptfoo eval -o FILE` wrote. A path outside the workspace,
 * a file that is missing, not JSON, or not promptfoo's output is an {@link InputError} (the step
 * is misconfigured); promptfoo's output that cannot be judged (another version, no rows, a row
 * of another shape, counts that disagree with the rows) is `{ unusable }`: could not evaluate.
 */
export async function readResultsFile(
  path: string,
  workspace: string,
): Promise<ResultsFile | { unusable: string }> {
  const absolute = resolve(workspace, path);
  const where = `\`results_file\` "${path}"`;
  if (!inWorkspace(path, workspace))
    throw new InputError(
      `${where} is outside the workspace (or links out of it); write promptfoo's results inside the repository's checkout (\`promptfoo eval -o results.json\`).`,
    );
  await checkFile(absolute, where, path);
  let json: unknown;
  try {
    // Node's own JSON.parse, not a streaming library: on the bench's 97 MiB file the streaming
    // parsers measured 2 to 6 times its time (@streamparser/json 3.8×, stream-json 5.8×, json-ext's
    // parseChunked 1.9×), for less memory (CONTRIBUTING.md, "promptfoo's results files"). The text
    // is parsed where it is read, bound to no name, so it is garbage once parsed.
    json = JSON.parse(readText(absolute, where, path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      /\.json$/i.test(path)
        ? `${where} is not JSON (${messageOf(error)}): was it cut short? It must be the file \`promptfoo eval -o ${path}\` wrote.`
        : `${where} is not JSON (${messageOf(error)}): promptfoo writes its JSON results for an output name that ends in \`.json\`; run \`promptfoo eval -o results.json\` and set \`results_file: results.json\`.`,
    );
  }
  const file = OutputFile.safeParse(json);
  if (!file.success)
    throw new InputError(
      `${where} is not promptfoo's output (no \`results\` with a \`version\`, \`results\` and \`stats\`): write it with \`promptfoo eval -o ${path}\` (a .json name).`,
    );
  const { results } = file.data;
  if (results.version !== 3)
    return {
      unusable: `${where} holds promptfoo results of version ${results.version}, and the gate reads version 3 (promptfoo 0.100 and later); run a newer promptfoo`,
    };
  const rows = rowsOf(results.results, where);
  if ('unusable' in rows) return rows;
  const parsed = rows.rows;
  const disagreement = statsDisagree(results.stats, parsed);
  if (disagreement) return { unusable: `${where}: ${disagreement}` };
  // Outside text that becomes outputs and ids: one printable line, bounded.
  const line = (text: string | null | undefined) =>
    text ? excerpt(printableLine(text).trim(), 200) || undefined : undefined;
  const description = line(file.data.config?.description);
  const evalId = line(file.data.evalId);
  const url = shareLink(file.data.shareableUrl);
  return {
    rows: parsed,
    ...(description ? { description } : {}),
    ...(evalId ? { evalId } : {}),
    ...(url ? { shareableUrl: url } : {}),
  };
}

/**
 * Checks each row and keeps what the cases read of it. Each raw row is let go from the parsed file
 * once checked (the file is ours to change), so the file's text is collected as the rows are read
 * rather than after the last one.
 */
function rowsOf(list: unknown, where: string): { rows: Row[] } | { unusable: string } {
  if (!Array.isArray(list) || list.length === 0)
    return { unusable: `${where} holds no result rows: promptfoo evaluated no test` };
  const rows: Row[] = [];
  // One row per test, repeat and column: a row twice is a file merged or forged, not an evaluation.
  const seen = new Set<string>();
  for (let index = 0; index < list.length; index++) {
    const row = Row.safeParse(list[index]);
    list[index] = undefined;
    if (!row.success)
      return {
        unusable: `${where}: row ${index + 1} is not a promptfoo result the gate can read (${issueOf(row.error)})`,
      };
    const { data } = row;
    if (data.success !== (data.failureReason === 0))
      return {
        unusable: `${where}: row ${index + 1} says \`success: ${data.success}\` with \`failureReason: ${data.failureReason}\`, which promptfoo never writes together`,
      };
    // promptfoo's success is its grader's pass: a row that says both ways was written by another hand.
    if (data.gradingResult?.pass === false && data.success)
      return {
        unusable: `${where}: row ${index + 1} says \`success: true\` while its grader says it did not pass, which promptfoo never writes together`,
      };
    const cell = `${data.testIdx}/${data.promptIdx}`;
    if (seen.has(cell))
      return {
        unusable: `${where}: row ${index + 1} is a second row of test ${data.testIdx} in column ${data.promptIdx} (promptfoo writes one), so the file was merged or changed after promptfoo wrote it`,
      };
    seen.add(cell);
    // Errors and grader reasons are read by their first line: a provider's stack is not kept. The
    // prompt's raw text (the rendered prompt, often long) only names a case with no id or label.
    if (data.error) data.error = firstLine(data.error);
    if (data.gradingResult?.reason)
      data.gradingResult.reason = firstLine(data.gradingResult.reason);
    if (data.promptId !== undefined && data.prompt.label !== undefined) delete data.prompt.raw;
    rows.push(data);
  }
  return { rows };
}

/** promptfoo's share link, when it is a well-formed https URL without credentials; else none. */
function shareLink(text: string | null | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex -- a link with a control character is no link
  if (!text || /[\s\u0000-\u001f\u007f]/.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && !url.username && !url.password ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The file's size and kind, checked before a byte is read. */
async function checkFile(absolute: string, where: string, path: string): Promise<void> {
  try {
    const info = await stat(absolute);
    if (!info.isFile())
      throw new InputError(
        `${where} is not a file; point \`results_file\` at the JSON file promptfoo wrote.`,
      );
    if (info.size > MAX_RESULTS_BYTES)
      throw new InputError(
        `${where} is ${formatBytes(info.size)}, over the ${formatBytes(MAX_RESULTS_BYTES)} the gate reads; split the suite into several gates.`,
      );
    if (info.size === 0) throw new InputError(`${where} is empty: promptfoo wrote nothing there.`);
  } catch (error) {
    throw unreadable(error, where, path);
  }
}

/**
 * The file's text. Read whole and at once (\`readFileSync\` with \`utf8\`): Node decodes it straight
 * into one string, where the promises' \`readFile\` holds a buffer of the file beside the string
 * (measured: 385 MiB against 274 MiB of peak memory to read and parse a 97 MiB file).
 */
function readText(absolute: string, where: string, path: string): string {
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    throw unreadable(error, where, path);
  }
}

function unreadable(error: unknown, where: string, path: string): InputError {
  if (error instanceof InputError) return error;
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    return new InputError(
      `${where} does not exist: run \`promptfoo eval -o ${path}\` in an earlier step, and check that it ran.`,
    );
  return new InputError(`${where} cannot be read: ${messageOf(error)}.`);
}

/** Whether promptfoo's own counts disagree with its rows: a file edited, merged or cut is not judged. */
function statsDisagree(stats: unknown, rows: readonly Row[]): string | undefined {
  const parsed = Stats.safeParse(stats);
  if (!parsed.success)
    return '`results.stats` is missing its `successes`, `failures` or `errors` counts';
  const counted = {
    successes: rows.filter((row) => row.failureReason === 0).length,
    failures: rows.filter((row) => row.failureReason === 1).length,
    errors: rows.filter((row) => row.failureReason === 2).length,
  };
  const off = (['successes', 'failures', 'errors'] as const).filter(
    (name) => parsed.data[name] !== counted[name],
  );
  if (off.length === 0) return undefined;
  return `\`results.stats\` disagrees with the rows (${off.map((name) => `${name} ${parsed.data[name]}, rows ${counted[name]}`).join('; ')}), so the file was changed after promptfoo wrote it`;
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `\`${issue.path.join('.') || 'row'}\`: ${issue.message}` : 'unknown shape';
}

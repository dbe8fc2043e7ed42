import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { inWorkspace } from '../../gates/workspace.js';
import { InputError, messageOf } from '../../support/errors.js';
import { excerpt, formatBytes, printableLine } from '../../support/text.js';
import { firstLine } from '../../cases/types.js';

/** The largest results file the gate reads: promptfoo writes about 5 KB a row. */
export const MAX_RESULTS_BYTES = 512 * 1024 * 1024;

/**
 * One row of `results.results`, as promptfoo 0.123 writes it (`EvaluateResult`): only what the
 * gate reads is checked, the rest is let through. `failureReason` 0 passed, 1 an assertion
 * failed, 2 the provider or a grader did not finish (an error, not a sample).
 */
const Row = z
  .object({
    success: z.boolean(),
    failureReason: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    error: z.string().nullish(),
    testIdx: z.number().int().nonnegative(),
    promptIdx: z.number().int().nonnegative(),
    promptId: z.string().optional(),
    description: z.string().nullish(),
    testCase: z
      .object({
        description: z.string().nullish(),
        vars: z.record(z.string(), z.unknown()).nullish(),
        assert: z.unknown().optional(),
      })
      .loose(),
    vars: z.record(z.string(), z.unknown()).nullish(),
    prompt: z.object({ raw: z.string().optional(), label: z.string().optional() }).loose(),
    provider: z.object({ id: z.string(), label: z.string().nullish() }).loose(),
    cost: z.number().nonnegative().optional(),
    response: z.object({ cost: z.number().nonnegative().nullish() }).loose().nullish(),
    gradingResult: z
      .object({ pass: z.boolean().optional(), reason: z.string().nullish() })
      .loose()
      .nullish(),
  })
  .loose();
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
const OutputFile = z
  .object({
    evalId: z.string().nullish(),
    results: z.object({ version: z.number(), results: z.unknown(), stats: z.unknown() }).loose(),
    config: z.object({ description: z.string().nullish() }).loose().nullish(),
    shareableUrl: z.string().nullish(),
  })
  .loose();

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
  const text = await readText(absolute, where, path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
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
  const rows = z.array(z.unknown()).safeParse(results.results);
  if (!rows.success || rows.data.length === 0)
    return { unusable: `${where} holds no result rows: promptfoo evaluated no test` };
  const parsed: Row[] = [];
  // One row per test, repeat and column: a row twice is a file merged or forged, not an evaluation.
  const seen = new Set<string>();
  for (const [index, raw] of rows.data.entries()) {
    const row = Row.safeParse(raw);
    if (!row.success)
      return {
        unusable: `${where}: row ${index + 1} is not a promptfoo result the gate can read (${issueOf(row.error)})`,
      };
    if (row.data.success !== (row.data.failureReason === 0))
      return {
        unusable: `${where}: row ${index + 1} says \`success: ${row.data.success}\` with \`failureReason: ${row.data.failureReason}\`, which promptfoo never writes together`,
      };
    // promptfoo's success is its grader's pass: a row that says both ways was written by another hand.
    if (row.data.gradingResult?.pass === false && row.data.success)
      return {
        unusable: `${where}: row ${index + 1} says \`success: true\` while its grader says it did not pass, which promptfoo never writes together`,
      };
    const cell = `${row.data.testIdx}/${row.data.promptIdx}`;
    if (seen.has(cell))
      return {
        unusable: `${where}: row ${index + 1} is a second row of test ${row.data.testIdx} in column ${row.data.promptIdx} (promptfoo writes one), so the file was merged or changed after promptfoo wrote it`,
      };
    seen.add(cell);
    // Only what the gate reads is kept: the file's outputs, tokens and metadata go with it.
    parsed.push(keptOf(row.data));
  }
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
 * What the cases read of a row, and nothing else: the output, token counts, assertions and
 * metadata (most of a row) are let go with the file's text. Errors and grader reasons are read
 * by their first line; the prompt's raw text only names a case that has no `promptId` or label.
 */
function keptOf(row: Row): Row {
  const { testCase, prompt, provider, response, gradingResult } = row;
  return {
    success: row.success,
    failureReason: row.failureReason,
    error: row.error == null ? row.error : firstLine(row.error),
    testIdx: row.testIdx,
    promptIdx: row.promptIdx,
    promptId: row.promptId,
    description: row.description,
    testCase: { description: testCase.description, vars: testCase.vars, assert: testCase.assert },
    vars: row.vars,
    prompt: {
      label: prompt.label,
      ...(row.promptId === undefined || prompt.label === undefined ? { raw: prompt.raw } : {}),
    },
    provider: { id: provider.id, label: provider.label },
    cost: row.cost,
    response: response && { cost: response.cost },
    gradingResult: gradingResult && {
      reason:
        gradingResult.reason == null
          ? gradingResult.reason
          : (firstLine(gradingResult.reason) ?? ''),
    },
  };
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

async function readText(absolute: string, where: string, path: string): Promise<string> {
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
    return await readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError(
        `${where} does not exist: run \`promptfoo eval -o ${path}\` in an earlier step, and check that it ran.`,
      );
    throw new InputError(`${where} cannot be read: ${messageOf(error)}.`);
  }
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

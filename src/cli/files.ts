import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { messageOf } from '../core/support/errors.js';
import type { Mode } from '../core/inputs/common.js';
import { renderJUnit } from '../core/render/junit.js';
import { renderVerdict } from '../core/render/markdown.js';
import { type ReportSubject, reportJson } from '../core/report-file/write.js';
import type { Verdict } from '../core/verdict/verdict.js';
import { type CliRequest, flagOf } from './flags.js';

/** GitLab's merge-request notes take a million characters; a job log is no place for more. */
const MARKDOWN_MAX_CHARS = 512 * 1024;

/** Writes the files the request asks for; returns one sentence per file that could not be written. */
export async function writeRequestedFiles(
  request: CliRequest,
  verdict: Verdict,
  subject: ReportSubject,
  mode: Mode,
): Promise<string[]> {
  const files: [flag: string, path: string | undefined, content: () => string][] = [
    ['--report', request.report, () => reportJson(verdict, subject)],
    ['--junit', request.junit, () => renderJUnit(verdict, subject.checkName, flagOf)],
    [
      '--markdown',
      request.markdown,
      () =>
        `${renderVerdict(verdict, { title: subject.checkName, mode, maxTools: 50, maxChars: MARKDOWN_MAX_CHARS, trend: request.markdownChart ?? 'mermaid', inputWord: flagOf })}\n`,
    ],
  ];
  const problems = await Promise.all(
    files.map(async ([flag, path, content]) => {
      if (!path) return undefined;
      try {
        await mkdir(dirname(resolve(path)), { recursive: true });
        await writeFile(path, content());
        return undefined;
      } catch (error) {
        return `${flag} ${path} could not be written: ${messageOf(error)}.`;
      }
    }),
  );
  return problems.filter((problem): problem is string => problem !== undefined);
}

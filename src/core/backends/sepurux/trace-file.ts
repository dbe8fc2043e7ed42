import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, messageOf } from '../../support/errors.js';
import { checkJson } from '../../support/json-check.js';
import { formatBytes } from '../../support/text.js';

/** The largest trace the gate uploads. */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

/** A trace file read from disk and checked to hold one JSON object. */
export interface TraceFile {
  path: string;
  bytes: Buffer;
}

/**
 * Reads the trace at `path` (relative to the workspace) and checks it is one JSON object;
 * every problem is an {@link InputError} that says what the earlier step should have written.
 */
export async function readTraceFile(path: string, workspace = process.cwd()): Promise<TraceFile> {
  const absolute = resolve(workspace, path);
  const where = `\`trace_file\` "${path}"${absolute !== path ? ` (${absolute})` : ''}`;
  let size: number;
  try {
    const info = await stat(absolute);
    if (info.isDirectory())
      throw new InputError(
        `${where} is a directory; point \`trace_file\` at the JSON file inside it.`,
      );
    // A pipe or a device could block the read forever or never end.
    if (!info.isFile())
      throw new InputError(`${where} is not a regular file; write the trace to a file first.`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new InputError(
        `${where} does not exist; check that the step that records the trace ran and wrote it there.`,
      );
    throw new InputError(`${where} cannot be read: ${messageOf(error)}.`);
  }
  if (size === 0)
    throw new InputError(`${where} is empty; the step that records the trace wrote nothing.`);
  if (size > MAX_TRACE_BYTES) {
    throw new InputError(
      `${where} is ${formatBytes(size)}, over the ${formatBytes(MAX_TRACE_BYTES)} the gate uploads; record a shorter trace.`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    throw new InputError(`${where} cannot be read: ${messageOf(error)}.`);
  }
  // Checked on the bytes, not parsed: a large trace must not cost its size twice more in memory.
  const shape = checkJson(bytes);
  if (!shape.ok)
    throw new InputError(
      `${where} is not valid JSON (${shape.error}); the trace must be one JSON object.`,
    );
  if (shape.topLevel !== 'object') {
    const kind =
      shape.topLevel === 'array'
        ? 'an array'
        : shape.topLevel === 'null'
          ? 'null'
          : `a ${shape.topLevel}`;
    throw new InputError(`${where} holds ${kind}; the trace must be one JSON object ({...}).`);
  }
  return { path: absolute, bytes };
}

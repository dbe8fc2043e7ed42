import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { BackendCallError } from '../support/errors.js';
import { checkJson } from '../support/json-check.js';
import { excerpt } from '../support/text.js';

/** An HTTP answer, read whole. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  bytes: Buffer;
}

/** A call's body as bytes: bytes as they are, anything else as JSON. */
export function encodeBody(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(JSON.stringify(body));
}

/** The JSON in `text`, or undefined when it is none (an error page). */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The answer's body as `schema` says it must be: JSON naming no field twice, of the expected
 * shape; anything else is a {@link BackendCallError} that fails the gate closed.
 */
export function parseAnswer<T>(
  call: string,
  answer: Answer,
  schema: z.ZodType<T>,
  urlSetting: string,
): T {
  const shape = checkJson(answer.bytes, { rejectDuplicateKeys: true });
  if (!shape.ok && shape.duplicate) {
    throw new BackendCallError(
      call,
      `${call} answered HTTP ${answer.status} with JSON that names a field twice (${shape.error}); either value could be read, so the gate fails closed.`,
      answer.status,
    );
  }
  if (!shape.ok) {
    throw new BackendCallError(
      call,
      `${call} answered HTTP ${answer.status} with a body that is not JSON (${excerpt(answer.text, 200) || 'empty'}); check ${urlSetting} points at the API root.`,
      answer.status,
    );
  }
  const parsed = schema.safeParse(JSON.parse(answer.text));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new BackendCallError(
    call,
    `${call} answered HTTP ${answer.status} with a body the gate does not recognise (${issues}); the backend's API may have changed, so the gate fails closed.`,
    answer.status,
  );
}

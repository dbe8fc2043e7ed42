import type { Agent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What came back from one request: the status, the headers and the whole body. */
export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request, as {@link exchange} sends it. */
export interface ExchangeRequest {
  method: string;
  url: URL;
  headers: Record<string, string | number>;
  body?: Buffer;
  /** The proxy-aware, keep-alive agent for this URL. */
  agent: Agent;
  /** The whole exchange, body included, must end within this. */
  timeoutMs: number;
  /** The largest body read; past it the socket is destroyed. */
  maxBodyBytes: number;
}

/** The body was larger than anything this call can legitimately answer. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Sends one request and reads its whole body, within one timeout and one size bound. Any way
 * the exchange can break rejects at once, with the socket destroyed: a reset in the middle of
 * the body (a premature close), a socket that stops answering (the timeout, code
 * `ETIMEDOUT`), or a body that never ends (past `maxBodyBytes`). A half-read socket never goes
 * back to the keep-alive pool.
 */
export function exchange(spec: ExchangeRequest): Promise<Exchange> {
  const controller = new AbortController();
  const send = spec.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Exchange>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        controller.abort(error);
        reject(error);
      } else resolve(value as Exchange);
    };
    const timer = setTimeout(
      () =>
        finish(
          Object.assign(new Error(`no complete answer within ${spec.timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      spec.timeoutMs,
    );
    let req;
    try {
      req = send(spec.url, {
        method: spec.method,
        headers: spec.headers,
        agent: spec.agent,
        signal: controller.signal,
      });
    } catch (error) {
      // Invalid headers and the like throw here: a local error, nothing was sent.
      finish(error as Error);
      return;
    }
    req.on('error', (error) => finish(error));
    req.on('response', (response) =>
      readBody(response, spec.maxBodyBytes, (error, body) =>
        finish(
          error,
          body && { status: response.statusCode ?? 0, headers: response.headers, body },
        ),
      ),
    );
    req.end(spec.body);
  });
}

function readBody(
  response: IncomingMessage,
  maxBytes: number,
  done: (error: Error | undefined, body?: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      done(
        new BodyTooLargeError(
          `the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`,
        ),
      );
      response.destroy();
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => done(undefined, Buffer.concat(chunks)));
  response.on('error', (error) => done(error));
  // A reset in the middle of the body closes the message without an 'end' (and, depending on
  // Node's version, without an 'error').
  response.on('close', () => {
    if (!response.complete)
      done(
        Object.assign(new Error('the connection closed in the middle of the answer'), {
          code: 'ECONNRESET',
        }),
      );
  });
}

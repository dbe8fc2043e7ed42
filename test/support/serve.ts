import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/** A running loopback server answering with msw handlers. */
export interface ServedHandlers {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves msw handlers over real HTTP on 127.0.0.1, so the bundled action (a child process),
 * the demo and the benchmark talk to the same fake the in-process tests use.
 */
export async function serveHandlers(
  handlers: RequestHandler[] | (() => RequestHandler[]),
  tls?: { key: string; cert: string },
  port = 0,
): Promise<ServedHandlers> {
  const listener: RequestListener = (req, res) => {
    void (async () => {
      try {
        const request = await toFetchRequest(req);
        const response = await getResponse(
          typeof handlers === 'function' ? handlers() : handlers,
          request,
        );
        if (!response) {
          res
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ detail: `no fake handler for ${req.method} ${req.url}` }));
          return;
        }
        const headers: Record<string, string> = {};
        response.headers.forEach((value, key) => (headers[key] = value));
        res.writeHead(response.status, headers);
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ detail: String(error) }));
      }
    })();
  };
  const server: Server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function toFetchRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const body =
    chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD'
      ? Buffer.concat(chunks)
      : undefined;
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body,
  });
}

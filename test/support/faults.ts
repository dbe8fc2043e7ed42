import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One thing the faulty server does to one request. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  /** Headers and the start of a body, then a reset. */
  | { kind: 'reset-mid-body' }
  /** A 200 whose body never ends (bounded here at `maxBytes`, 256 MiB by default, so the test stops by itself). */
  | { kind: 'endless-body'; maxBytes?: number }
  | { kind: 'lose-response' }
  | { kind: 'redirect'; location: string; status?: number }
  /** Passes through, but the upstream's JSON answer is changed on the way back. */
  | { kind: 'rewrite'; change: (body: Record<string, unknown>) => Record<string, unknown> }
  | { kind: 'pass' };

/** A request the faulty server saw, with when it arrived. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  fault: Fault['kind'];
}

interface Plan {
  matches: (method: string, path: string) => boolean;
  faults: Fault[];
}

/**
 * A real HTTP server on 127.0.0.1 in front of an upstream (a fake backend), doing scripted
 * harm to the requests that match: error statuses, resets, hung sockets, responses lost
 * after the upstream acted, redirects. Everything else passes through.
 */
export class FaultyServer {
  readonly seen: SeenRequest[] = [];
  private readonly plans: Plan[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  origin = '';

  constructor(private readonly upstream?: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next requests matching `method` and a path starting with `prefix` get these faults, in order. */
  on(method: string, prefix: string, ...faults: Fault[]): this {
    this.plans.push({ matches: (m, p) => m === method && p.includes(prefix), faults });
    return this;
  }

  /** Requests seen whose path includes `part`. */
  requestsTo(method: string, part: string): SeenRequest[] {
    return this.seen.filter((r) => r.method === method && r.path.includes(part));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const plan = this.plans.find((p) => p.matches(method, path) && p.faults.length > 0);
    const fault = plan?.faults.shift() ?? { kind: 'pass' };
    this.seen.push({
      method,
      path,
      headers: { ...req.headers },
      at: Date.now(),
      fault: fault.kind,
    });
    switch (fault.kind) {
      case 'status':
        res
          .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
          .end(fault.body ?? JSON.stringify({ detail: `injected ${fault.status}` }));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'reset-mid-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"run_id": "r1", "status": "comp', () =>
          setTimeout(() => req.socket.destroy(), 20),
        );
        return;
      case 'endless-body':
        this.endless(res, fault.maxBytes ?? 256 * 1024 * 1024);
        return;
      case 'redirect':
        res.writeHead(fault.status ?? 307, { location: fault.location }).end();
        return;
      case 'lose-response':
        this.forward(req, () => req.socket.destroy());
        return;
      case 'rewrite':
        this.forward(req, async (upstream) => {
          const chunks: Buffer[] = [];
          for await (const chunk of upstream) chunks.push(chunk as Buffer);
          res.writeHead(upstream.statusCode ?? 502, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              fault.change(
                JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
              ),
            ),
          );
        });
        return;
      case 'pass':
        this.forward(req, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        });
    }
  }

  private endless(res: ServerResponse, maxBytes: number): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    res.write('{"padding": "');
    let sent = 0;
    const pump = () => {
      while (sent < maxBytes && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end('"}');
    };
    pump();
  }

  private forward(req: IncomingMessage, onResponse: (upstream: IncomingMessage) => unknown): void {
    if (!this.upstream) throw new Error('FaultyServer has no upstream to pass requests to');
    const target = new URL(req.url ?? '/', this.upstream);
    const out = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (upstream) => {
        upstream.on('error', () => undefined);
        onResponse(upstream);
      },
    );
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  }
}

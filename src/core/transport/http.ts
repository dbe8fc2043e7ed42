import type { z } from 'zod';
import { type Deadline, sleep } from '../support/deadline.js';
import { BackendCallError, RetryLaterError } from '../support/errors.js';
import {
  RETRYABLE_STATUSES,
  REJECTED_UNPROCESSED_STATUSES,
  backoffMs,
  isLocalError,
  neverReachedServer,
  parseRetryAfter,
  wrongAddressAttempts,
} from './retry.js';
import { excerpt } from '../support/text.js';
import { type AgentSource, directAgents } from './agents.js';
import { BodyTooLargeError, exchange } from './exchange.js';
import { insecureUrlReason } from './url.js';
import { type Answer, encodeBody, parseAnswer, tryJson } from './answer.js';
import {
  connectionFailure,
  describeConnectionError,
  localFailure,
  wrongAddress,
} from './failures.js';

/** One backend call: what to send and the shape the answer must have. */
export interface CallSpec<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Appended to the base URL; query strings already encoded. */
  path: string;
  /** How the call is named in messages, e.g. `GET /v1/runs/{id}`; defaults to method and path. */
  name?: string;
  /** Extra headers that carry no secret. */
  headers?: Record<string, string>;
  /** A value sent as JSON, or bytes sent as they are (with `Content-Type: application/json`). */
  body?: unknown;
  /** The only answer accepted (on a 2xx status). */
  schema: z.ZodType<T>;
  /**
   * Whether the call may be sent again after it may have reached the server: GETs, and POSTs
   * the backend deduplicates (an `Idempotency-Key`). Others are retried only when the server
   * surely did not act on them.
   */
  idempotent: boolean;
  /** The fix to suggest, per HTTP status, when the call fails with it. */
  hints?: Partial<Record<number, string>>;
  /** The largest answer read, for a call whose answer grows with the data (default `MAX_ANSWER_BYTES`). */
  maxBodyBytes?: number;
}

/** How one backend is reached. */
export interface TransportOptions {
  baseUrl: string;
  /** Headers that carry secrets: sent to the backend's origin only, never after a redirect elsewhere. */
  credentials: Record<string, string>;
  /** Picks the backend's own message out of an error body. */
  errorMessage: (body: unknown) => string | undefined;
  /** The inputs whose values go into `credentials`, named when a header cannot be sent. Default: `token`. */
  headerInputs?: readonly string[];
  deadline: Deadline;
  /** Longest a single request may take. */
  requestTimeoutMs?: number;
  /** The agents that carry requests (a proxy's, where one is set); direct keep-alive agents by default. */
  agents?: AgentSource;
  maxAttempts?: number;
  /** How messages name the setting that holds the URL (default `` `base_url` ``; GitLab's note: `CI_API_V4_URL`). */
  urlSetting?: string;
  /** How messages name the service (default `the backend`). */
  service?: string;
  debug?: (message: string) => void;
  /** Seams for tests and the benchmark. */
  random?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/** A backend's answer is a verdict or a page of names: a few MiB at most. A larger one is cut off. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** The shortest per-request timeout worth splitting the deadline for. */
const MIN_SPLIT_TIMEOUT_MS = 1000;
/** How much of a backend's own message goes into an error. */
const MAX_SAID_CHARS = 300;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const USER_AGENT = 'agent-reliability-gate/1';
const DEFAULT_HINTS: Partial<Record<number, string>> = {
  400: 'The backend rejected the request; check the inputs it names.',
  401: 'Check that `token` holds a valid credential for this backend.',
  403: 'The token is not allowed to do this; check its scopes and project.',
  404: 'Check the ids and `base_url`.',
  429: 'The backend kept rate-limiting the gate; try again later.',
};

/** A small JSON client: per-request timeouts, retries with backoff, safe redirects, validated answers. */
export class JsonTransport {
  private readonly base: URL;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly random: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly agents: AgentSource;
  /** Whether the backend has answered once: after that, a refused connection is a restart, not a wrong address. */
  private answered = false;

  constructor(private readonly options: TransportOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.agents = options.agents ?? directAgents();
    this.maxAttempts = options.maxAttempts ?? 6;
    this.random = options.random ?? Math.random;
    this.wait = options.wait ?? sleep;
  }

  /** How messages name the setting that holds the URL. */
  private get urlSetting(): string {
    return this.options.urlSetting ?? '`base_url`';
  }

  /** Sends the call, retrying what is safe to retry, and returns the validated answer. */
  async request<T>(spec: CallSpec<T>): Promise<T> {
    const call = spec.name ?? `${spec.method} ${spec.path.split('?')[0]}`;
    const { deadline } = this.options;
    for (let attempt = 1; ; attempt++) {
      deadline.check(`waiting for ${call}`);
      let response: Answer;
      try {
        response = await this.sendFollowingRedirects(spec, call);
      } catch (error) {
        if (error instanceof BackendCallError) throw error;
        if (error instanceof BodyTooLargeError) {
          throw new BackendCallError(
            call,
            `${call} answered with a body larger than ${(spec.maxBodyBytes ?? MAX_ANSWER_BYTES) / 1024 / 1024} MiB; the gate stopped reading and fails closed. Check ${this.urlSetting}.`,
          );
        }
        if (isLocalError(error)) throw localFailure(call, error, this.options.headerInputs);
        const retryable = spec.idempotent || neverReachedServer(error);
        // A wrong address fails fast: no host by that name, or nothing listening, before any answer.
        const wrong = this.answered ? undefined : wrongAddressAttempts(error);
        if (wrong !== undefined && (!retryable || attempt >= Math.min(wrong, this.maxAttempts)))
          throw wrongAddress(call, error, attempt, this.urlSetting, this.base);
        if (!retryable || attempt >= this.maxAttempts)
          throw connectionFailure(
            call,
            error,
            attempt,
            this.urlSetting,
            this.options.service ?? 'the backend',
          );
        await this.pause(
          call,
          backoffMs(attempt, this.random),
          `${describeConnectionError(error)}`,
        );
        continue;
      }
      this.answered = true;
      const { status } = response;
      if (status >= 200 && status < 300)
        return parseAnswer(call, response, spec.schema, this.urlSetting);
      const retryable =
        RETRYABLE_STATUSES.has(status) &&
        (spec.idempotent || REJECTED_UNPROCESSED_STATUSES.has(status));
      if (!retryable || attempt >= this.maxAttempts) throw this.failure(call, response, spec.hints);
      const asked = parseRetryAfter(response.headers['retry-after'], Date.now());
      if (asked !== undefined && asked > deadline.remainingMs()) {
        throw new RetryLaterError(
          call,
          `${call} answered HTTP ${status} and asked to retry after ${Math.ceil(asked / 1000)}s, past the gate's \`timeout\`; raise \`timeout\` or try later.`,
          status,
        );
      }
      await this.pause(call, asked ?? backoffMs(attempt, this.random), `HTTP ${status}`);
    }
  }

  private async pause(call: string, ms: number, why: string): Promise<void> {
    const { deadline } = this.options;
    const waitMs = Math.min(ms, deadline.remainingMs());
    this.options.debug?.(`${call}: ${why}; retrying in ${waitMs} ms`);
    await this.wait(waitMs);
  }

  private async sendFollowingRedirects(spec: CallSpec<unknown>, call: string): Promise<Answer> {
    let url = new URL(spec.path.replace(/^\/+/, ''), this.base);
    let method: string = spec.method;
    let body = spec.body;
    let credentials: Record<string, string> = this.options.credentials;
    for (let hop = 0; ; hop++) {
      const answer = await this.send(
        method,
        url,
        body,
        { ...spec.headers, ...credentials },
        spec.idempotent,
        spec.maxBodyBytes ?? MAX_ANSWER_BYTES,
      );
      const location = answer.headers.location;
      if (!REDIRECTS.has(answer.status) || typeof location !== 'string') return answer;
      if (hop >= MAX_REDIRECTS) {
        throw new BackendCallError(
          call,
          `${call} was redirected more than ${MAX_REDIRECTS} times; check ${this.urlSetting}.`,
          answer.status,
        );
      }
      const next = new URL(location, url);
      const insecure = insecureUrlReason(next);
      if (insecure) {
        throw new BackendCallError(
          call,
          `${call} was redirected to ${next.origin}, which the gate refuses: ${insecure}. Check ${this.urlSetting}.`,
          answer.status,
        );
      }
      // The credential belongs to the backend's origin; a hop elsewhere goes without it.
      if (next.origin !== this.base.origin) credentials = {};
      if (answer.status === 303) {
        method = 'GET';
        body = undefined;
      }
      this.options.debug?.(
        `${call}: HTTP ${answer.status} redirect to ${next.origin}${next.pathname}`,
      );
      url = next;
    }
  }

  private async send(
    method: string,
    url: URL,
    body: unknown,
    headers: Record<string, string>,
    idempotent: boolean,
    maxBodyBytes: number,
  ): Promise<Answer> {
    const timeoutMs = this.attemptTimeoutMs(idempotent);
    const started = Date.now();
    const payload = encodeBody(body);
    const allHeaders: Record<string, string | number> = {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...headers,
    };
    if (payload) {
      allHeaders['Content-Type'] = 'application/json';
      allHeaders['Content-Length'] = payload.length;
    }
    const answer = await exchange({
      method,
      url,
      headers: allHeaders,
      body: payload,
      agent: await this.agents(url),
      timeoutMs,
      maxBodyBytes,
    });
    this.options.debug?.(
      `${method} ${url.origin}${url.pathname} -> HTTP ${answer.status} in ${Date.now() - started} ms`,
    );
    return {
      status: answer.status,
      headers: answer.headers,
      text: answer.body.toString('utf8'),
      bytes: answer.body,
    };
  }

  /**
   * One attempt's timeout. A call that may be sent again gets at most half of what is left, so
   * that a request that hangs still leaves room for a retry before the deadline.
   */
  private attemptTimeoutMs(idempotent: boolean): number {
    const remaining = this.options.deadline.remainingMs();
    const share = idempotent && remaining >= 2 * MIN_SPLIT_TIMEOUT_MS ? remaining / 2 : remaining;
    return Math.max(1, Math.round(Math.min(this.requestTimeoutMs, share)));
  }

  private failure(
    call: string,
    answer: Answer,
    hints: Partial<Record<number, string>> = {},
  ): BackendCallError {
    const said = excerpt(
      this.options.errorMessage(tryJson(answer.text)) ?? answer.text,
      MAX_SAID_CHARS,
    );
    const hint =
      hints[answer.status] ??
      DEFAULT_HINTS[answer.status] ??
      (answer.status >= 500 ? 'The backend is failing; try again later.' : '');
    const message = `${call} failed with HTTP ${answer.status}${said ? `: ${said}` : ''}.${hint ? ` ${hint}` : ''}`;
    return new BackendCallError(
      call,
      message,
      answer.status,
      answer.status >= 500 && !REJECTED_UNPROCESSED_STATUSES.has(answer.status),
    );
  }
}

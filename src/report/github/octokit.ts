import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import type { GateLog } from '../../core/support/log.js';
import type { Deadline } from '../../core/support/deadline.js';

/**
 * Octokit with what the reporters use: the REST methods, pagination, retries on server errors and
 * GitHub's rate limits respected. Built from its parts rather than `@actions/github`'s
 * `getOctokit`, so the command line (Jenkins, Buildkite) reports with the same client.
 */
const GateOctokit = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling);

/** The GitHub client the reporters use. */
export type GitHub = InstanceType<typeof GateOctokit>;

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/**
 * Where a proxy is set (`HTTPS_PROXY`, `NO_PROXY` honoured), a fetch through it, by
 * `@actions/http-client`'s dispatcher as `@actions/github` does; otherwise Node's own fetch.
 */
function proxiedFetch(apiUrl: string, env: NodeJS.ProcessEnv): typeof fetch | undefined {
  if (!PROXY_VARIABLES.some((name) => env[name])) return undefined;
  // Loaded only where a proxy is set: a run that does not use it does not pay for it.
  const client = Promise.all([import('@actions/http-client'), import('undici')]).then(
    ([{ HttpClient }, undici]) => ({
      dispatcher: new HttpClient('agent-reliability-gate/1').getAgentDispatcher(apiUrl),
      fetch: undici.fetch,
    }),
  );
  const through = async (url: string, init: RequestInit) => {
    const { dispatcher, fetch: undiciFetch } = await client;
    return undiciFetch(url, { ...(init as object), dispatcher } as Parameters<
      typeof undiciFetch
    >[1]);
  };
  return through as unknown as typeof fetch;
}

/** How long one GitHub call may take, retries included: a hung API must not hold the job. */
export const GITHUB_REQUEST_TIMEOUT_MS = 20_000;

/**
 * Octokit for the API at `apiUrl` (through the proxy the environment names), with retries on
 * server errors, GitHub's rate limits respected, and a timeout on every request that is also
 * bounded by `budget`, the time left for all of the gate's GitHub calls.
 */
export function createGitHub(
  token: string,
  apiUrl: string,
  log: GateLog,
  budget: Deadline,
  requestTimeoutMs = GITHUB_REQUEST_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = process.env,
  /** What a call is told when `budget` is spent (default: that the gate's time for GitHub calls is). */
  spent?: string,
): GitHub {
  const proxyFetch = proxiedFetch(apiUrl, env);
  const github = new GateOctokit({
    auth: `token ${token}`,
    userAgent: 'agent-reliability-gate/1',
    baseUrl: apiUrl,
    ...(proxyFetch ? { request: { fetch: proxyFetch } } : {}),
    throttle: {
      // The gate writes at most three times a run (check start, check end, comment). The
      // plugin's spacing for bulk writers (1 s between writes, 3 s between notifying ones)
      // would only delay the verdict; GitHub's rate-limit answers are still honoured below.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      onRateLimit: (
        retryAfter: number,
        options: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        log.warning(
          `GitHub rate limit hit on ${options.method} ${options.url}; ${retryCount < 2 ? `retrying in ${retryAfter}s` : 'giving up'}.`,
        );
        return retryCount < 2;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        options: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        log.warning(
          `GitHub secondary rate limit hit on ${options.method} ${options.url}; ${retryCount < 1 ? `retrying in ${retryAfter}s` : 'giving up'}.`,
        );
        return retryCount < 1;
      },
    },
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
  });
  github.hook.wrap('request', async (request, options) => {
    const controller = new AbortController();
    // Named AbortError, octokit passes it through without a retry: a write that timed out may
    // have been carried out, and sending it again could create a second check run.
    const abort = (why: string) =>
      controller.abort(Object.assign(new Error(why), { name: 'AbortError' }));
    const timeoutMs = Math.min(requestTimeoutMs, budget.remainingMs());
    if (timeoutMs <= 0)
      abort(spent ?? "no time is left for GitHub calls (the gate's `timeout` has passed)");
    const timer = setTimeout(
      () => abort(`GitHub did not answer within ${Math.round(timeoutMs / 100) / 10}s`),
      timeoutMs,
    );
    // The budget can be cut short (a cancelled job): calls already under way stop then too.
    const onBudgetSpent = () => abort(spent ?? 'no time is left for GitHub calls');
    budget.signal.addEventListener('abort', onBudgetSpent, { once: true });
    // The hook chain is bound to this options object: it is changed in place, not replaced.
    options.request = { ...options.request, signal: controller.signal };
    try {
      return await request(options);
    } finally {
      clearTimeout(timer);
      budget.signal.removeEventListener('abort', onBudgetSpent);
    }
  });
  return github;
}

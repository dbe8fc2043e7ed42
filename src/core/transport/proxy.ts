import { type AgentSource, directAgents } from './agents.js';

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/**
 * The agents both front doors hand the core: direct keep-alive agents, or, where a proxy is
 * configured, `@actions/http-client`'s proxy-aware ones (`HTTPS_PROXY`, `NO_PROXY`, loopback
 * bypass, CONNECT tunnels). The proxy client is loaded only when a proxy is set: a run that
 * does not use it does not pay for loading it.
 */
export function machineAgents(env: NodeJS.ProcessEnv = process.env): AgentSource {
  if (!PROXY_VARIABLES.some((name) => env[name])) return directAgents();
  const client = import('@actions/http-client').then(
    ({ HttpClient }) => new HttpClient('agent-reliability-gate/1', [], { keepAlive: true }),
  );
  return async (url) => (await client).getAgent(url.href);
}

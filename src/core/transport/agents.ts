import { Agent as HttpAgent, type Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/** Picks the agent that carries a request to `url`: a front door may route it through a proxy. */
export type AgentSource = (url: URL) => Agent | Promise<Agent>;

/**
 * Direct keep-alive agents, one per protocol: polls reuse one connection (and its TLS session).
 * The default where no proxy is configured.
 */
export function directAgents(): AgentSource {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  return (url) => (url.protocol === 'https:' ? https : http);
}

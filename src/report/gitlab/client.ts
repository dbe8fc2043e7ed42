import { z } from 'zod';
import type { Deadline } from '../../core/support/deadline.js';
import type { GateLog } from '../../core/support/log.js';
import type { AgentSource } from '../../core/transport/agents.js';
import { JsonTransport } from '../../core/transport/http.js';

/** A GitLab error body: `{"message": …}` (a string or a field → messages map), or OAuth's `{"error", "error_description"}`. */
const GitLabError = z.union([
  z.object({ message: z.union([z.string(), z.record(z.string(), z.array(z.string()))]) }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

function gitlabMessage(body: unknown): string | undefined {
  const parsed = GitLabError.safeParse(body);
  if (!parsed.success) return undefined;
  if ('error' in parsed.data)
    return parsed.data.error_description
      ? `${parsed.data.error}: ${parsed.data.error_description}`
      : parsed.data.error;
  const { message } = parsed.data;
  return typeof message === 'string'
    ? message
    : Object.entries(message)
        .map(([field, said]) => `${field} ${said.join(', ')}`)
        .join('; ');
}

/** What to do about GitLab's answers, in the command line's words. */
export const GITLAB_HINTS: Partial<Record<number, string>> = {
  401: 'GATE_GITLAB_TOKEN is not a valid GitLab token (revoked, expired or mistyped); create a project access token with the `api` scope.',
  403: 'GATE_GITLAB_TOKEN may not do this: it needs the `api` scope (`read_api` cannot write notes) and at least the Reporter role on the project.',
  404: 'GATE_GITLAB_TOKEN cannot see this project (`CI_PROJECT_ID`) or merge request (`CI_MERGE_REQUEST_IID`); use a token of this project.',
};

/**
 * GitLab's REST API v4 at `CI_API_V4_URL` with `GATE_GITLAB_TOKEN`: validated answers, retries,
 * the token sent to that origin only, every message in the command line's words.
 */
export function gitlabClient(
  place: { apiUrl: string; token: string },
  deadline: Deadline,
  log: GateLog,
  agents?: AgentSource,
): JsonTransport {
  return new JsonTransport({
    baseUrl: place.apiUrl,
    credentials: { 'PRIVATE-TOKEN': place.token },
    errorMessage: gitlabMessage,
    deadline,
    agents,
    maxAttempts: 3,
    urlSetting: '`CI_API_V4_URL`',
    service: 'GitLab',
    debug: (message) => log.debug(message),
  });
}

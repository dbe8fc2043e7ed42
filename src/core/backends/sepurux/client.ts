import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BackendContext } from '../types.js';
import type { JsonTransport } from '../../transport/http.js';
import { BackendCallError } from '../../support/errors.js';
import { closestNames } from '../../inputs/undeclared.js';
import { excerpt } from '../../support/text.js';
import {
  BatchStatus,
  CampaignPage,
  RunCreated,
  RunStatus,
  TraceCreated,
  sepuruxErrorMessage,
} from './schemas.js';

/** Campaign pages followed at most; a server that cycles its cursor cannot hold the gate. */
const MAX_CAMPAIGN_PAGES = 100;

/** Thresholds sent with a CI run, as the API names them. */
export interface SentThresholds {
  min_pass_rate?: number;
  max_unsafe?: number;
  max_failures?: number;
  min_reliability_score?: number;
}

/** The Sepurux API calls the gate makes (docs/sepurux.md). */
export class SepuruxClient {
  private readonly project?: JsonTransport;
  private readonly ci: JsonTransport;

  constructor(context: BackendContext, token: string, projectId: string | undefined) {
    const projectHeaders = projectId
      ? { 'X-API-Key': token, 'X-Project-Id': projectId }
      : undefined;
    if (projectHeaders)
      this.project = context.transport({
        credentials: projectHeaders,
        errorMessage: sepuruxErrorMessage,
        headerInputs: ['token', 'project_id'],
      });
    // CI endpoints take the CI token; the project headers ride along so a project key works too.
    this.ci = context.transport({
      credentials: { 'X-Sepurux-Token': token, ...projectHeaders },
      errorMessage: sepuruxErrorMessage,
      headerInputs: projectHeaders ? ['token', 'project_id'] : ['token'],
    });
  }

  /** Uploads a trace (the file's bytes, as they are) and returns its new id. */
  uploadTrace(bytes: Buffer): Promise<string> {
    return this.projectApi().request({
      method: 'POST',
      path: '/v1/traces',
      body: bytes,
      schema: TraceCreated,
      // A second upload of the same trace is harmless; a lost answer is worth a retry.
      idempotent: true,
      hints: { 413: 'The trace is larger than the backend accepts; record a shorter trace.' },
    });
  }

  /** Finds the one campaign named exactly `name`, following every page. */
  async findCampaignId(name: string): Promise<string> {
    const seen: { id: string; name: string }[] = [];
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_CAMPAIGN_PAGES; page++) {
      const query = new URLSearchParams({ name, ...(cursor ? { cursor } : {}) });
      const answer = await this.projectApi().request({
        method: 'GET',
        path: `/v1/campaigns?${query}`,
        schema: CampaignPage,
        idempotent: true,
        hints: { 404: 'Check `project_id` and `base_url`.' },
      });
      seen.push(...answer.campaigns);
      cursor = answer.next_cursor ?? undefined;
      if (!cursor || cursors.has(cursor)) break;
      cursors.add(cursor);
    }
    return pickCampaign(name, seen);
  }

  /** Starts a CI run, or a batch over the campaign's eval-set when no trace is given. */
  createRun(
    body: {
      trace_id?: string;
      campaign_id: string;
      thresholds: SentThresholds;
      repo: string;
      pull_request_number?: number;
      commit_sha?: string;
    },
    gateKey: string,
  ): Promise<RunCreated> {
    return this.ci.request({
      method: 'POST',
      path: '/v1/ci/runs',
      headers: { 'Idempotency-Key': idempotencyKey(gateKey, body.campaign_id, body.trace_id) },
      body,
      schema: RunCreated,
      // The Idempotency-Key makes a resent request find the run the first one started.
      idempotent: true,
      hints: {
        404: 'Check `campaign_id` (or `campaign_name`) and `trace_id`.',
        // Only a batch (no trace) runs the eval-set, so only a batch can be short of `min_scenarios`.
        422: body.trace_id
          ? 'Sepurux refused this single-trace run; its message says which field: check the thresholds and the trace.'
          : "The campaign's eval-set has fewer traces than its `min_scenarios`: register more traces (PATCH /v1/campaigns/{id}/eval-set) or lower `min_scenarios`.",
      },
    });
  }

  /** One poll of a single CI run. */
  getRun(runId: string) {
    return this.ci.request({
      method: 'GET',
      path: `/v1/ci/runs/${encodeURIComponent(runId)}`,
      name: 'GET /v1/ci/runs/{run_id}',
      schema: RunStatus,
      idempotent: true,
    });
  }

  /** One poll of a whole batch: one request whatever its size. */
  getBatch(batchId: string) {
    return this.ci.request({
      method: 'GET',
      path: `/v1/ci/batch/${encodeURIComponent(batchId)}`,
      name: 'GET /v1/ci/batch/{batch_id}',
      schema: BatchStatus,
      idempotent: true,
    });
  }

  /** Whether project calls can be made (they need `project_id`). */
  get hasProject(): boolean {
    return this.project !== undefined;
  }

  /** A run's policy or security events, as they come: their shape is not published (see events.ts). */
  runEvents(runId: string, source: 'policy' | 'security'): Promise<unknown> {
    return this.projectApi().request({
      method: 'GET',
      path: `/v1/runs/${encodeURIComponent(runId)}/${source}-events`,
      name: `GET /v1/runs/{run_id}/${source}-events`,
      schema: z.unknown(),
      idempotent: true,
      // The run exists (the gate has just read it): a 404 or 403 here is about the events, not the ids.
      hints: {
        403: `This key may not read the run's ${source} events; the verdict stands, only the "why" is missing.`,
        404: `This Sepurux serves no ${source} events for the run (an older server, or none recorded); the verdict stands.`,
      },
    });
  }

  private projectApi(): JsonTransport {
    // Input validation requires project_id for every project call; this guards the invariant.
    if (!this.project)
      throw new BackendCallError(
        'project API',
        'A project call needs `project_id`; set it to the Sepurux project UUID.',
      );
    return this.project;
  }
}

function pickCampaign(name: string, campaigns: { id: string; name: string }[]): string {
  const matches = campaigns.filter((campaign) => campaign.name === name);
  const [only] = matches;
  if (matches.length === 1 && only) return only.id;
  if (matches.length > 1) {
    throw new BackendCallError(
      'GET /v1/campaigns',
      `${matches.length} campaigns are named "${excerpt(name, 60)}" (${matches
        .slice(0, 10)
        .map((c) => excerpt(c.id, 40))
        .join(', ')}); set \`campaign_id\` to the one to gate on.`,
    );
  }
  // Names are backend text: each is cut short, and the closest to what was asked come first.
  const names = [...new Set(campaigns.map((c) => c.name))];
  const closest = closestNames(name, names, 3);
  const others = names
    .filter((n) => !closest.includes(n))
    .slice(0, Math.max(0, 10 - closest.length));
  const quoted = (list: string[]) => list.map((n) => `"${excerpt(n, 60)}"`).join(', ');
  const listed =
    names.length === 0
      ? 'the project has no campaigns'
      : [
          closest.length ? `closest: ${quoted(closest)}` : '',
          others.length
            ? `${closest.length ? 'others' : 'campaigns that exist'}: ${quoted(others)}`
            : '',
          names.length > closest.length + others.length
            ? `and ${names.length - closest.length - others.length} more`
            : '',
        ]
          .filter(Boolean)
          .join('; ');
  throw new BackendCallError(
    'GET /v1/campaigns',
    `No campaign is named exactly "${excerpt(name, 60)}" (${listed}); fix \`campaign_name\` or check \`project_id\`.`,
  );
}

/** Same gate (run attempt, step, campaign, trace), same key: a resent POST never starts a second run. */
function idempotencyKey(gateKey: string, campaignId: string, traceId: string | undefined): string {
  return createHash('sha256')
    .update(`${gateKey}\n${campaignId}\n${traceId ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

import { z } from 'zod';
import { reportFromBytes } from '../../core/report-file/read.js';
import { recordOfReport } from '../../core/baseline/from-report.js';
import { Deadline } from '../../core/support/deadline.js';
import { messageOf } from '../../core/support/errors.js';
import type { HistoryEntry } from '../../core/baseline/history.js';
import type { GateLog } from '../../core/support/log.js';
import type { AgentSource } from '../../core/transport/agents.js';
import { GITLAB_HINTS, gitlabClient } from './client.js';

/** How long reading the history may take: it runs beside the backend's work, and never holds the job. */
const GITLAB_HISTORY_MS = 30_000;
/** Pipelines read at once. */
const CONCURRENCY = 4;

const Pipelines = z.array(z.object({ id: z.number().int(), sha: z.string() })).max(100);
const Jobs = z
  .array(z.object({ id: z.number().int(), name: z.string(), status: z.string() }))
  .max(100);

/** Where the history is: the project, the branch, the job and its report file. */
export interface GitLabHistoryPlace {
  apiUrl: string;
  token: string;
  projectId: string;
  /** The merge request's target branch (`CI_MERGE_REQUEST_TARGET_BRANCH_NAME`), or the default branch. */
  ref: string;
  /** This job's name (`CI_JOB_NAME`): the same job on the branch wrote the reports. */
  jobName: string;
  /** The report file, as `--report` names it relative to the project: the job's artifact. */
  reportPath: string;
  checkName: string;
  count: number;
}

/**
 * This gate's verdicts on the branch's last `count` pipelines, newest first: each pipeline's job of
 * this name, and the report file it kept as an artifact (`--report`), read back and checked as a
 * report file is. One request for the pipelines, then two per pipeline (its jobs, the artifact),
 * four pipelines at a time. A pipeline without the job, the artifact or a readable report is an
 * entry without a record; a GitLab that fails is no history, said once. Never throws.
 */
export async function findGitLabHistory(
  place: GitLabHistoryPlace,
  log: GateLog,
  agents?: AgentSource,
): Promise<HistoryEntry[] | undefined> {
  const gitlab = gitlabClient(place, new Deadline(GITLAB_HISTORY_MS), log, agents);
  const project = `projects/${encodeURIComponent(place.projectId)}`;
  let pipelines: z.output<typeof Pipelines>;
  try {
    pipelines = await gitlab.request({
      method: 'GET',
      path: `${project}/pipelines?ref=${encodeURIComponent(place.ref)}&scope=finished&order_by=id&sort=desc&per_page=${Math.min(100, place.count)}`,
      name: 'GET /projects/:id/pipelines',
      schema: Pipelines,
      idempotent: true,
      hints: GITLAB_HINTS,
    });
  } catch (error) {
    log.info(
      `History: the ${place.ref} pipelines could not be read (${messageOf(error)}); no history.`,
    );
    return undefined;
  }
  const entries: HistoryEntry[] = new Array(pipelines.length);
  let next = 0;
  const read = async (pipeline: (typeof pipelines)[number]): Promise<HistoryEntry> => {
    const jobs = await gitlab.request({
      method: 'GET',
      path: `${project}/pipelines/${pipeline.id}/jobs?per_page=100`,
      name: 'GET /projects/:id/pipelines/:pipeline_id/jobs',
      schema: Jobs,
      idempotent: true,
      hints: GITLAB_HINTS,
    });
    const job = jobs.find((candidate) => candidate.name === place.jobName);
    if (!job)
      return {
        sha: pipeline.sha,
        missing: `pipeline ${pipeline.id} has no job "${place.jobName}"`,
      };
    const report = await gitlab.request({
      method: 'GET',
      path: `${project}/jobs/${job.id}/artifacts/${place.reportPath.split('/').map(encodeURIComponent).join('/')}`,
      name: 'GET /projects/:id/jobs/:job_id/artifacts/:path',
      schema: z.unknown(),
      idempotent: true,
      hints: GITLAB_HINTS,
    });
    const read = reportFromBytes(
      Buffer.from(JSON.stringify(report)),
      `${place.reportPath} of job ${job.id}`,
    );
    // The report must be of the commit its pipeline built.
    const record =
      typeof read === 'string'
        ? read
        : read.headSha?.toLowerCase() !== pipeline.sha.toLowerCase()
          ? `the report of pipeline ${pipeline.id} names another commit`
          : recordOfReport(read, place.checkName);
    return typeof record === 'string'
      ? { sha: pipeline.sha, missing: record }
      : { sha: record.headSha, record };
  };
  const worker = async () => {
    while (next < pipelines.length) {
      const index = next++;
      const pipeline = pipelines[index];
      if (!pipeline) return;
      entries[index] = await read(pipeline).catch((error: unknown) => ({
        sha: pipeline.sha,
        missing: `pipeline ${pipeline.id}: ${messageOf(error)}`,
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pipelines.length) }, worker));
  log.info(
    `History: ${entries.filter((entry) => entry.record).length} of the last ${pipelines.length} ${place.ref} pipelines hold a report of "${place.checkName}".`,
  );
  return entries;
}

import { z } from 'zod';
import { insecureUrlReason } from '../../core/transport/url.js';

/** Where the gate's note goes: GitLab's API, the project and the merge request, from GitLab CI's own variables. */
export interface GitLabNotePlace {
  /** `CI_API_V4_URL`, e.g. `https://gitlab.example.com/api/v4`. */
  apiUrl: string;
  /** `CI_PROJECT_ID`. */
  projectId: string;
  /** `CI_MERGE_REQUEST_IID`: the merge request's number within its project. */
  mergeRequestIid: number;
  token: string;
  checkName: string;
  /** `CI_JOB_URL`: the job that judged, linked in the note. */
  jobUrl?: string;
  /** `CI_COMMIT_SHA`: the commit judged, named in the note (a note outlives its pipeline). */
  commitSha?: string;
}

const GitLabVariables = z.object({
  CI_API_V4_URL: z.url({ protocol: /^https?$/ }),
  CI_PROJECT_ID: z.string().regex(/^[1-9]\d*$/, 'is not a project id'),
  CI_MERGE_REQUEST_IID: z.string().regex(/^[1-9]\d*$/, 'is not a merge request number'),
  CI_JOB_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .catch(undefined),
  CI_COMMIT_SHA: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i)
    .optional()
    .catch(undefined),
});

/**
 * The note's place from GitLab CI's variables, or why there is no note (one sentence, for the
 * log): no token, not a merge-request pipeline, or variables that do not say where to write.
 * None of these changes the verdict.
 */
export function gitlabNotePlace(
  env: NodeJS.ProcessEnv,
  token: string | undefined,
  checkName: string,
): { place: GitLabNotePlace } | { skip: string; warn: boolean } | undefined {
  if (!token) return undefined;
  if (!env.CI_MERGE_REQUEST_IID?.trim()) {
    return {
      skip: 'GATE_GITLAB_TOKEN is set, but this is not a merge-request pipeline (`CI_MERGE_REQUEST_IID` is not set): no note. Run the job in merge-request pipelines (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`).',
      warn: false,
    };
  }
  const read = GitLabVariables.safeParse(env);
  if (!read.success) {
    const named = [...new Set(read.error.issues.map((issue) => String(issue.path[0])))]
      .map((name) => `\`${name}\``)
      .join(', ');
    return {
      skip: `GATE_GITLAB_TOKEN is set, but GitLab CI's ${named} ${named.includes(',') ? 'are' : 'is'} missing or malformed, so the merge request cannot be found: no note.`,
      warn: true,
    };
  }
  const insecure = insecureUrlReason(new URL(read.data.CI_API_V4_URL));
  if (insecure)
    return {
      skip: `GATE_GITLAB_TOKEN is set, but the gate will not send it to \`CI_API_V4_URL\`: ${insecure}. No note.`,
      warn: true,
    };
  return {
    place: {
      apiUrl: read.data.CI_API_V4_URL,
      projectId: read.data.CI_PROJECT_ID,
      mergeRequestIid: Number(read.data.CI_MERGE_REQUEST_IID),
      token,
      checkName,
      ...(read.data.CI_JOB_URL ? { jobUrl: read.data.CI_JOB_URL } : {}),
      ...(read.data.CI_COMMIT_SHA ? { commitSha: read.data.CI_COMMIT_SHA } : {}),
    },
  };
}

import { flagOf } from '../../core/inputs/declare.js';
import { z } from 'zod';
import { Deadline } from '../../core/support/deadline.js';
import { BackendCallError, messageOf } from '../../core/support/errors.js';
import type { Mode } from '../../core/inputs/common.js';
import type { GateLog } from '../../core/support/log.js';
import { renderVerdict } from '../../core/render/markdown.js';
import { commentMarker, endsWithMarker } from '../../core/render/marker.js';
import type { AgentSource } from '../../core/transport/agents.js';
import type { Verdict } from '../../core/verdict/verdict.js';
import { GITLAB_HINTS as HINTS, gitlabClient } from './client.js';
import type { GitLabNotePlace } from './place.js';

/** GitLab's limit on a note's body, in characters. */
export const GITLAB_NOTE_MAX_CHARS = 1_000_000;
/** Notes read per page (GitLab's most), and pages read at most: the newest-updated first, so the gate's own note is on the first. */
const NOTES_PER_PAGE = 100;
const MAX_NOTE_PAGES = 5;
/** How long the look-up, and then the write, may take: a GitLab that hangs must not hold the job. */
const GITLAB_PHASE_MS = 20_000;

const User = z.object({ id: z.number().int(), username: z.string() });
const Note = z.object({
  id: z.number().int(),
  body: z.string(),
  system: z.boolean().optional(),
  author: z.object({ id: z.number().int() }),
});
const Notes = z.array(Note).max(NOTES_PER_PAGE);
const Written = z.object({ id: z.number().int() });

/** The gate's note on one merge request: looked up while the gate runs, written with the verdict. */
export interface GitLabNote {
  /** Writes (or edits) the note. Never throws: a GitLab that refuses or fails is a warning, and never changes the verdict. */
  finish(verdict: Verdict, mode: Mode): Promise<void>;
}

/**
 * Starts looking for the gate's sticky note on the merge request (its marker at the end, written by the
 * token's own user, not a system note) and returns what writes it: edited in place when found,
 * created otherwise, and created again if it was deleted in between. The look-up overlaps the
 * evaluation.
 */
export function startGitLabNote(
  place: GitLabNotePlace,
  log: GateLog,
  agents?: AgentSource,
): GitLabNote {
  const base = `projects/${encodeURIComponent(place.projectId)}/merge_requests/${place.mergeRequestIid}/notes`;
  const marker = commentMarker(place.checkName);
  const client = (deadline: Deadline) => gitlabClient(place, deadline, log, agents);
  const lookup = (async () => {
    const gitlab = client(new Deadline(GITLAB_PHASE_MS));
    const me = await gitlab.request({
      method: 'GET',
      path: 'user',
      name: 'GET /user',
      schema: User,
      idempotent: true,
      hints: HINTS,
    });
    for (let page = 1; page <= MAX_NOTE_PAGES; page++) {
      const notes = await gitlab.request({
        method: 'GET',
        path: `${base}?sort=desc&order_by=updated_at&per_page=${NOTES_PER_PAGE}&page=${page}`,
        name: `GET /projects/:id/merge_requests/${place.mergeRequestIid}/notes`,
        schema: Notes,
        idempotent: true,
        hints: HINTS,
      });
      // Only the token's own note, ending with the marker, counts: a marker copied into someone else's note, quoted in a
      // system note or carried mid-body into another gate's note is not this gate's.
      const own = notes.find(
        (note) => note.author.id === me.id && !note.system && endsWithMarker(note.body, marker),
      );
      if (own) return own.id;
      if (notes.length < NOTES_PER_PAGE) return undefined;
    }
    return undefined;
  })();
  // A failed look-up is said when the note would be written.
  lookup.catch(() => undefined);
  const where = `merge request !${place.mergeRequestIid}`;
  return {
    async finish(verdict, mode) {
      const body = noteBody(verdict, mode, place, marker);
      try {
        const found = await lookup;
        const gitlab = client(new Deadline(GITLAB_PHASE_MS));
        const create = () =>
          gitlab.request({
            method: 'POST',
            path: base,
            name: `POST /projects/:id/merge_requests/${place.mergeRequestIid}/notes`,
            body: { body },
            schema: Written,
            idempotent: false,
            hints: HINTS,
          });
        if (found === undefined) {
          await create();
          log.info(`Noted the verdict on ${where}.`);
          return;
        }
        try {
          await gitlab.request({
            method: 'PUT',
            path: `${base}/${found}`,
            name: `PUT /projects/:id/merge_requests/${place.mergeRequestIid}/notes/${found}`,
            body: { body },
            schema: Written,
            idempotent: true,
            hints: HINTS,
          });
          log.info(`Updated the gate's note on ${where}.`);
        } catch (error) {
          // Deleted between the look-up and the edit: the verdict still gets its note.
          if (!(error instanceof BackendCallError && error.status === 404)) throw error;
          await create();
          log.info(`The gate's note on ${where} was deleted meanwhile; noted the verdict again.`);
        }
      } catch (error) {
        log.warning(
          `Could not note the verdict on ${where}: ${messageOf(error)} The verdict still decides the job.`,
        );
      }
    },
  };
}

/**
 * The note: the verdict as markdown with the marker, within GitLab's size limit. A line that
 * begins with `/` would be run by GitLab as a quick action (`/merge`, `/approve`) when the note
 * is saved; a backslash keeps it text, and renders as nothing.
 */
export function noteBody(
  verdict: Verdict,
  mode: Mode,
  place: Pick<GitLabNotePlace, 'checkName' | 'jobUrl' | 'commitSha'>,
  marker = commentMarker(place.checkName),
): string {
  const markdown = renderVerdict(verdict, {
    title: place.checkName,
    mode,
    maxTools: 10,
    maxChars: GITLAB_NOTE_MAX_CHARS - 1_000,
    footer: marker,
    ...(place.jobUrl ? { runUrl: place.jobUrl, runLabel: 'pipeline job' } : {}),
    ...(place.commitSha ? { commitSha: place.commitSha } : {}),
    fullVerdictAt: 'the `--report` file',
    // GitLab renders Mermaid in notes.
    trend: 'mermaid',
    // Only the command line writes notes: inputs are named by their flags.
    inputWord: flagOf,
  });
  return markdown.replace(/^([ \t>]*)\//gm, '$1\\/');
}

import { z } from 'zod';
import type { ChangedFiles } from '../../core/gates/types.js';
import type { Deadline } from '../../core/support/deadline.js';
import { messageOf } from '../../core/support/errors.js';
import type { GateLog } from '../../core/support/log.js';
import { statusOf } from './status.js';

/** The most files GitHub lists for a pull request: a list that long may be cut, so every gate runs. */
export const PULL_FILES_CAP = 3_000;
/** The most files GitHub's comparison of two commits lists. */
export const COMPARE_FILES_CAP = 300;

/** Events on which every gate runs: each entry then has a verdict, a baseline, on the default branch. */
const EVERY_GATE_EVENTS = new Set(['push', 'schedule', 'workflow_dispatch']);
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

const File = z.object({ filename: z.string().min(1), previous_filename: z.string().optional() });

/** What reading the change's files needs: the event, and a token to read them with. */
export interface ChangePlace {
  eventName: string;
  token?: string;
  apiUrl: string;
  repository: string;
  pullRequestNumber?: number;
  /** On `merge_group`: the queue's base and head commits. */
  baseSha?: string;
  headSha?: string;
}

/**
 * The files the change touches, from GitHub: on a pull request every page of
 * `pulls/{number}/files` (a renamed file counts under both its names); on `merge_group` the
 * comparison of the queue's base and head. Every gate runs on `push`, `schedule` and
 * `workflow_dispatch`, on other events, when the list reaches GitHub's cap, or when it cannot be
 * read; each case says why. Never throws.
 */
export async function readChangedFiles(
  place: ChangePlace,
  log: GateLog,
  budget: Deadline,
): Promise<ChangedFiles> {
  const event = place.eventName || 'an unknown event';
  if (EVERY_GATE_EVENTS.has(place.eventName))
    return {
      all: `on \`${event}\` every gate runs, so that each has a verdict on the branch for later changes to compare with`,
    };
  const pull = PULL_REQUEST_EVENTS.has(place.eventName);
  if (!pull && place.eventName !== 'merge_group')
    return { all: `on \`${event}\` the gate does not read which files changed` };
  if (!place.token)
    return { all: 'there is no `github_token` to read the changed files with', warn: true };
  const [owner = '', repo = ''] = place.repository.split('/');
  try {
    const { createGitHub } = await import('./octokit.js');
    const github = createGitHub(place.token, place.apiUrl, log, budget);
    if (pull) {
      if (!place.pullRequestNumber) return { all: 'the event names no pull request' };
      // GitHub lists 3,000 files in 30 pages at most: a list that goes on is cut there, and every gate runs.
      let pages = 0;
      const listed = await github.paginate(
        github.rest.pulls.listFiles,
        { owner, repo, pull_number: place.pullRequestNumber, per_page: 100 },
        (response, done) => {
          if (++pages >= PULL_FILES_CAP / 100) done();
          return response.data;
        },
      );
      const files = z.array(File).parse(listed);
      if (files.length === 0)
        return {
          all: `GitHub lists no changed file for pull request #${place.pullRequestNumber}, which every pull request has`,
          warn: true,
        };
      if (files.length >= PULL_FILES_CAP || pages >= PULL_FILES_CAP / 100)
        return {
          all: `pull request #${place.pullRequestNumber} changes ${PULL_FILES_CAP.toLocaleString('en-US')} files or more, the most GitHub lists, so the list may be cut`,
        };
      return {
        files: namesOf(files),
        source: `the ${files.length} ${files.length === 1 ? 'file' : 'files'} pull request #${place.pullRequestNumber} changes`,
      };
    }
    if (!place.baseSha || !place.headSha)
      return { all: 'the merge queue event names no base and head commits' };
    const { data } = await github.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${place.baseSha}...${place.headSha}`,
      per_page: 1,
    });
    const compared = z
      .object({ files: z.array(File).optional(), ahead_by: z.number().optional() })
      .parse(data);
    // No list, or none where the queue's change is ahead: nothing says which files it touches.
    if (!compared.files || compared.files.length === 0)
      return {
        all: `GitHub's comparison of the merge queue's base and head lists no changed file`,
      };
    const files = compared.files;
    if (files.length >= COMPARE_FILES_CAP)
      return {
        all: `the merge queue's change touches ${COMPARE_FILES_CAP} files or more, the most GitHub's comparison lists, so the list may be cut`,
      };
    return {
      files: namesOf(files),
      source: `the ${files.length} ${files.length === 1 ? 'file' : 'files'} the merge queue's change touches (${place.baseSha.slice(0, 7)}...${place.headSha.slice(0, 7)})`,
    };
  } catch (error) {
    const status = statusOf(error);
    const hint =
      status === 403 || status === 404
        ? `; the job's token needs \`${pull ? 'pull-requests' : 'contents'}: read\``
        : '';
    return {
      all: `the changed files could not be read from GitHub (${status ? `HTTP ${status}: ` : ''}${messageOf(error).split('\n')[0]})${hint}`,
      warn: true,
    };
  }
}

/** Every path a change touches: a renamed file under its old name too (it left that gate's paths). */
function namesOf(files: readonly z.output<typeof File>[]): string[] {
  return [
    ...new Set(
      files.flatMap((file) =>
        file.previous_filename ? [file.filename, file.previous_filename] : [file.filename],
      ),
    ),
  ];
}

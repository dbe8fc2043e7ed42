/*
 * How the shared inputs speak of the registered backends (their words), and which of the shared
 * inputs only a backend that calls a service reads.
 */

/**
 * What a backend tells the shared inputs' descriptions about itself, so that they name no
 * backend of their own: each registered backend's words are listed where they differ.
 */
export interface BackendWords {
  readonly id: string;
  readonly displayName: string;
  /** How it evaluates: a service's credential and API root, or what it reads. */
  readonly evaluates:
    | {
        kind: 'service';
        credential: string;
        defaultBaseUrl: string;
        judgedByThresholds?: boolean;
        existing?: ExistingEvaluation;
      }
    | { kind: 'reads'; what: string };
  /** Where its confidence intervals come from, for `confidence`. */
  readonly intervals?: string;
  /** A comparison of its own that can find nothing to compare with, for `on_missing_baseline`. */
  readonly missingBaseline?: string;
}

/** The registered backends, the default first. */
export type BackendList = readonly [BackendWords, ...BackendWords[]];

/** `<Backend>: …; <Backend>: …`: each backend's own words for one thing. */
export const eachBackend = (
  backends: BackendList,
  words: (backend: BackendWords) => string | undefined,
) =>
  backends
    .flatMap((backend) => {
      const said = words(backend);
      return said ? [`${backend.displayName}: ${said}`] : [];
    })
    .join('; ');

/** `; not read by X, which reads a file`: the backends that need no credential. */
export const readers = (backends: BackendList) => {
  const names = backends.flatMap((b) => (b.evaluates.kind === 'reads' ? [b.displayName] : []));
  return names.length
    ? `; not read by ${names.join(' or ')}, which read${names.length === 1 ? 's' : ''} a file`
    : '';
};

/** What `token` missing says, for a backend that calls a service. */
export const TOKEN_REQUIRED =
  'Input `token` is required: set it to the backend credential, from a CI secret (on a pull request from a fork, secrets are empty: see docs/github.md, "Pull requests from forks")';

/**
 * What a service holds that the workflow's own step already ran (Braintrust's experiment): the
 * gate finds and reads it, polls nothing and runs nothing again.
 */
export interface ExistingEvaluation {
  /** What it holds, for messages: e.g. `` an experiment `braintrust eval` already logged ``. */
  readonly what: string;
  /** Where more samples of each case come from instead of `repeats` (the evaluation's own trials). */
  readonly samples: string;
}

/**
 * The shared inputs that poll, repeat or retry a run: a backend that reads an evaluation
 * already run, or a service that holds one ({@link ExistingEvaluation}), reads none of them.
 */
export const RUN_INPUTS = [
  'poll_interval',
  'repeats',
  'max_repeats',
  'min_repeats',
  'margin',
  'require_all_repeats',
  'retry_errors',
  'max_runs',
] as const;

/**
 * The shared inputs only a backend that calls a service reads: a backend that reads an
 * evaluation already run has no credential, API root, polls, repeats or retries.
 */
export const SERVICE_INPUTS = ['token', 'base_url', ...RUN_INPUTS] as const;

/** The shared inputs a backend does not read: given ones are input errors, and a config entry does not inherit the step's. */
export function unreadInputs(evaluates: BackendWords['evaluates']): readonly string[] {
  if (evaluates.kind === 'reads') return SERVICE_INPUTS;
  return evaluates.existing ? RUN_INPUTS : [];
}

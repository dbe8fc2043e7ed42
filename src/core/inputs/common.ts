import { z } from 'zod';
import {
  apiRootList,
  credential,
  DEFAULT_REGRESSION_ALPHA,
  httpsUrl,
  regressionAlpha,
  repeatCount,
  variableList,
} from './common-fields.js';
import { documented } from './declare.js';
import { type BackendList, eachBackend, readers } from './backend-words.js';
import {
  type CrossRule,
  flag,
  oneOf,
  optionalNumber,
  optionalText,
  parseInputs,
  type RawInputs,
} from './fields.js';

/** The staged-rollout modes: what a failing verdict does to the step and the check. */
export const MODES = ['observe', 'soft', 'hard'] as const;
export type Mode = (typeof MODES)[number];

/** `repeats: auto`'s budget and first round, when `max_repeats` and `min_repeats` are not given. */
export const DEFAULT_MAX_REPEATS = 5;
export const DEFAULT_MIN_REPEATS = 1;

/** How many times a run that ended without a verdict is started again, when `retry_errors` is not given. */
export const DEFAULT_RETRY_ERRORS = 1;

/** Verdicts read along the base branch by default. */
export const DEFAULT_HISTORY = 10;

/** The inputs every backend shares, documented: the action's and the command line's alike. */
export const commonSchema = (backends: BackendList) => {
  const ids = backends.map((backend) => backend.id) as [string, ...string[]];
  const missing = eachBackend(backends, (backend) => backend.missingBaseline);
  return z.object({
    backend: documented(oneOf(ids, ids[0]), {
      description: `Which evaluation backend to talk to: ${ids
        .map((b) => `\`${b}\``)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}.`,
      default: ids[0],
    }),
    base_url: documented(httpsUrl, {
      description:
        "API root of the backend; paths are appended to it. Default: the backend's public URL. Must be https, except for a loopback host; no credentials, query or fragment.",
    }),
    token: documented(
      // Required by the backends that call a service: the gate's plan says so (`TOKEN_REQUIRED`).
      credential(optionalText()),
      {
        description: `Backend credential, required by a backend that calls a service (${eachBackend(backends, (backend) => (backend.evaluates.kind === 'service' ? backend.evaluates.credential : undefined))}${readers(backends)}). Masked in every log.`,
        secret: true,
      },
    ),
    mode: documented(oneOf(MODES, 'hard'), {
      description:
        'Staged rollout: `observe` (report only, never blocks), `soft` (a failing verdict does not fail the step; the check asks a human to look), `hard` (a failing verdict fails the step and the check).',
      default: 'hard',
    }),
    timeout: documented(
      optionalNumber({ min: 1, max: 6 * 3600 }).transform((seconds) => (seconds ?? 600) * 1000),
      {
        description:
          'Seconds the whole gate may take, retries included; past it the verdict is fail.',
        default: '600',
      },
    ),
    poll_interval: documented(
      optionalNumber({ min: 0.1, max: 600 }).transform((seconds) => (seconds ?? 5) * 1000),
      {
        description: 'Longest wait, in seconds, between two polls; the first polls come sooner.',
        default: '5',
      },
    ),
    confidence: documented(optionalNumber({ min: 0.5, max: 0.999 }), {
      description: `Judge thresholds on confidence intervals at this level ("0.95") instead of point values: a threshold holds when the whole interval is within it, breaks when the whole is outside, and is inconclusive otherwise (${eachBackend(backends, (backend) => backend.intervals)}; with \`repeats\`, intervals across the repeats). With \`repeats: auto\`, it sets the sequential test's error rates (default 0.95). Empty: point values.`,
    }),
    on_inconclusive: documented(oneOf(['warn', 'fail'], 'fail'), {
      description:
        'With `confidence`: what a threshold whose interval straddles its bound decides, `warn` or `fail`.',
      default: 'fail',
    }),
    repeats: documented(repeatCount, {
      description:
        'Run the same evaluation this many times (1 to 20), each its own backend run, started together and pooled; or `auto`: a sequential test adds repeats until every threshold is decided, up to `max_repeats`.',
      default: '1',
    }),
    max_repeats: documented(optionalNumber({ min: 1, max: 20, integer: true }), {
      description: 'With `repeats: auto`: most repeats to run.',
      default: String(DEFAULT_MAX_REPEATS),
    }),
    min_repeats: documented(optionalNumber({ min: 1, max: 20, integer: true }), {
      description: 'With `repeats: auto`: repeats started together before the first look.',
      default: String(DEFAULT_MIN_REPEATS),
    }),
    margin: documented(optionalNumber({ min: 0, integer: false }), {
      description:
        'With `repeats: auto`: the sequential test tells "at least threshold + margin" from "at most threshold − margin"; within the margin either answer is acceptable. Default 0.05 for a rate; required, in the figure\'s unit, for any other figure. Both must stay strictly inside the figure\'s range (a rate\'s 0 to 1, a score\'s 0 to 100): a least rate of 0.8 takes a margin below 0.2.',
    }),
    require_all_repeats: documented(flag(false), {
      description:
        'With `repeats`: every repeat must pass on its own (pass^k), not only the pooled figures.',
      default: 'false',
    }),
    retry_errors: documented(
      optionalNumber({ min: 0, max: 3, integer: true }).transform(
        (count) => count ?? DEFAULT_RETRY_ERRORS,
      ),
      {
        description:
          'How many times a run that ended without a verdict (the backend failed it, left it short of `min_coverage`, or could not be reached) is started again, as a new backend run: 0 to 3. With `repeats`, only the repeat that errored. An error left after its retries fails the gate as "could not evaluate", never as a regression.',
        default: String(DEFAULT_RETRY_ERRORS),
      },
    ),
    max_runs: documented(optionalNumber({ min: 1, max: 100, integer: true }), {
      description:
        'The most backend runs one gate may start (1 to 100), repeats and retries together; when it is reached no further run starts, and the verdict says the budget decided. Below a fixed `repeats` it is an input error. Default: no bound beyond `repeats` / `max_repeats` and `retry_errors`.',
    }),
    min_coverage: documented(
      optionalNumber({ min: 0, max: 100 })
        // "0.9" is a fraction written where a percentage goes, far likelier than a floor of 0.9%.
        .refine((value) => value === undefined || value === 0 || value >= 1, {
          message:
            'is under 1: it is a percentage from 0 to 100, not a fraction; write "90" for 90% (or 0 for no floor)',
        })
        .transform((value) => value ?? 100),
      {
        description:
          "Least coverage, in percent (0 to 100), that counts as an evaluation: a Sepurux batch's `scenario_coverage_pct`, a TruLayer eval run's scored items (`item_coverage_pct`), a results file's or a Braintrust experiment's rows evaluated (`row_coverage_pct`). Below it the gate could not evaluate (an error, retried as one where the backend runs the evaluation); items left unscored are never zeros in a mean.",
        default: '100',
      },
    ),
    on_missing_baseline: documented(oneOf(['pass', 'warn', 'fail'], 'warn'), {
      description: `What a comparison decides when there is nothing to compare with (a drop threshold with no base verdict${missing ? `; ${missing}` : ''}): \`pass\`, \`warn\` or \`fail\`. The reason always says that nothing was compared.`,
      default: 'warn',
    }),
    history: documented(
      optionalNumber({ min: 0, max: 30, integer: true }).transform(
        (count) => count ?? DEFAULT_HISTORY,
      ),
      {
        description:
          "How many verdicts along the base branch to read beside the base commit's (GitHub: this gate's checks on the base branch's last commits; the command line: `--history-dir`): each failing tool is marked new or known, and the trend is drawn. `0` turns it off.",
        default: String(DEFAULT_HISTORY),
      },
    ),
    baseline_from: documented(oneOf(['base', 'median'], 'base'), {
      description:
        "What the drop thresholds compare with: the base commit's verdict (`base`), or the median of the comparable verdicts in the `history` (`median`), so one flaky base run cannot move the bar.",
      default: 'base',
    }),
    regression_alpha: documented(regressionAlpha, {
      description:
        "Where the evaluation names its cases: the level at which the cases failing now are judged a regression against the base branch's own record of each case (a case that never failed there counts as solid, one that failed in 5 of 10 verdicts as flaky; with fewer than 3 comparable verdicts, the weaker sign test against the base verdict alone), above 0 and at most 0.5. A regression fails the gate. `off` turns it off; the drop thresholds are judged either way.",
      default: String(DEFAULT_REGRESSION_ALPHA),
    }),
    pull_request_number: documented(optionalNumber({ min: 1, integer: true }), {
      description:
        'Pull (merge) request being gated, reported to the backend and commented on. Default: from the event or the CI variables.',
    }),
    shard: documented(
      optionalText().refine((name) => name === undefined || /^[\w.@ +-]{1,100}$/.test(name), {
        message:
          'must be 1 to 100 letters, digits, spaces or . _ - + @ (it names a matrix leg, e.g. ${{ matrix.agent }})',
      }),
      {
        description:
          'Name of this matrix leg: the gate runs and writes its report file as usual, posts no check and no comment, and an `aggregate` step reports for all the legs. Each leg starts its own evaluation.',
      },
    ),
    aggregate: documented(optionalText(), {
      description:
        'Glob of shard report files (e.g. `reports/**/*.json`, downloaded with actions/download-artifact, or from CI artifacts): no backend call; one verdict, check and comment for all the shards, the worst deciding. Needs `expected_shards`.',
    }),
    expected_shards: documented(optionalNumber({ min: 1, max: 1000, integer: true }), {
      description:
        'How many shard reports `aggregate` must find; a missing or extra one fails the gate.',
    }),
    config: documented(optionalText(), {
      description:
        'A YAML file in the workspace (e.g. `.github/reliability-gates.yml`) listing many gates (`gates:`), each run only where the change reaches its `paths`: one check and one comment for all of them. An entry sets any gate input for itself. Not with `shard` or `aggregate`.',
    }),
    allowed_token_env: documented(variableList, {
      description:
        "With `config`: the environment variables the config file's entries may name in `token_env` (e.g. `TRULAYER_API_KEY`), separated by commas, spaces or new lines. None by default: the file comes with the change, so only the workflow (or pipeline) says which of the step's variables an entry may send to its backend.",
    }),
    allowed_base_urls: documented(apiRootList, {
      description:
        "With `config`: API roots an entry's own `base_url` may be, beside the step's `base_url` and its backend's public URL (separated by commas, spaces or new lines; compared after normalizing: scheme and host case, default port, trailing `/`). None by default: the file comes with the change, so only the workflow (or pipeline) says where an entry may send a credential.",
    }),
    head_sha: documented(
      optionalText().refine((sha) => sha === undefined || /^[0-9a-f]{40}$/i.test(sha), {
        message: 'must be a full 40-character commit SHA',
      }),
      {
        description:
          "Commit being gated (its check goes there). Default: from the event (the pull request's head) or the CI variables.",
      },
    ),
  });
};

/** The shared inputs, validated, with their defaults applied (times in milliseconds). */
export type CommonInputs = Omit<
  z.output<ReturnType<typeof commonSchema>>,
  'timeout' | 'poll_interval'
> & {
  timeoutMs: number;
  pollIntervalMs: number;
};

/** Parses the inputs every backend shares; `backends` are the registered ones, the default first. */
export function parseCommonInputs(raw: RawInputs, backends: BackendList): CommonInputs {
  const { timeout, poll_interval, ...rest } = parseInputs(
    commonSchema(backends),
    raw,
    REPEAT_RULES,
  );
  return { ...rest, timeoutMs: timeout, pollIntervalMs: poll_interval };
}

type Common = z.output<ReturnType<typeof commonSchema>>;

/** Each round of `repeats: auto` waits two polls at least; `timeout` must hold the first round and one more. */
export const AUTO_ROUND_POLLS = 2;

/** Inputs that only `repeats` reads are errors without it: an input that is not read must not look as if it were. */
const REPEAT_RULES: CrossRule<Common>[] = [
  ...(['max_repeats', 'min_repeats', 'margin'] as const).map((input) => ({
    inputs: [input],
    broken: (i: Common) => i[input] !== undefined && i.repeats !== 'auto',
    message: 'is read only with `repeats: auto`; set `repeats: auto`, or remove it.',
  })),
  {
    inputs: ['require_all_repeats'],
    broken: (i) => i.require_all_repeats && i.repeats === 1,
    message:
      'asks every repeat to pass, but `repeats` is 1; set `repeats` (e.g. 3, or `auto`), or remove it.',
  },
  {
    inputs: ['max_repeats', 'min_repeats'],
    broken: (i) =>
      i.repeats === 'auto' &&
      (i.max_repeats ?? DEFAULT_MAX_REPEATS) < (i.min_repeats ?? DEFAULT_MIN_REPEATS),
    message:
      '`max_repeats` is below `min_repeats`; the most repeats must be at least the repeats started first.',
  },
  {
    inputs: ['max_runs', 'repeats'],
    broken: (i) =>
      i.max_runs !== undefined && typeof i.repeats === 'number' && i.max_runs < i.repeats,
    message:
      'the most runs is fewer than the repeats asked for, so the gate could never start them; raise `max_runs`, or lower `repeats`.',
  },
  {
    inputs: ['max_runs', 'min_repeats'],
    broken: (i) =>
      i.max_runs !== undefined &&
      i.repeats === 'auto' &&
      i.max_runs < (i.min_repeats ?? DEFAULT_MIN_REPEATS),
    message:
      'the most runs is fewer than the first round of repeats, so the gate could never start it; raise `max_runs`, or lower `min_repeats`.',
  },
  {
    inputs: ['baseline_from', 'history'],
    broken: (i) => i.baseline_from === 'median' && i.history === 0,
    message:
      '`baseline_from: median` takes the median of the `history`, which is off (`0`); set `history` (e.g. 10), or `baseline_from: base`.',
  },
  {
    inputs: ['expected_shards'],
    broken: (i) => i.expected_shards !== undefined && i.aggregate === undefined,
    message: 'counts the reports of an `aggregate` step; set `aggregate` too, or remove it.',
  },
  {
    inputs: ['config', 'shard'],
    broken: (i) => i.config !== undefined && (i.shard !== undefined || i.aggregate !== undefined),
    message:
      'a config file of many gates is run in one step, not split into matrix legs: set `config`, or `shard` / `aggregate`, not both.',
  },
  ...(['allowed_token_env', 'allowed_base_urls'] as const).map((input) => ({
    inputs: [input],
    broken: (i: Common) => i[input].length > 0 && i.config === undefined,
    message:
      "is read only with `config`: it says what a config file's entries may use; set `config`, or remove it.",
  })),
  {
    inputs: ['timeout', 'repeats'],
    broken: (i) => i.repeats === 'auto' && i.timeout < 2 * AUTO_ROUND_POLLS * i.poll_interval,
    message: `leaves no room for \`repeats: auto\`: each round waits at least ${AUTO_ROUND_POLLS} polls, and \`timeout\` must hold the first round (\`min_repeats\` together) and one more; raise \`timeout\` to at least ${2 * AUTO_ROUND_POLLS} × \`poll_interval\`.`,
  },
];

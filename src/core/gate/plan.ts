import { BACKENDS, BACKEND_IDS, backendById, rejectForeignInputs } from '../backends/registry.js';
import type { Backend, ChangeContext, PreparedGate } from '../backends/types.js';
import { InputError } from '../support/errors.js';
import { type CommonInputs, parseCommonInputs } from '../inputs/common.js';
import { TOKEN_REQUIRED, unreadInputs } from '../inputs/backend-words.js';
import type { RawInputs } from '../inputs/fields.js';
import { formatNumber } from '../verdict/figures.js';
import { DEFAULT_RATE_MARGIN } from '../repeats/run.js';
import { type BaselinePolicy, dropsOf } from '../baseline/compare.js';

/** A gate whose inputs are all valid: what to run, where, and on which change. */
export interface GatePlan {
  inputs: CommonInputs & { baseUrl: string };
  backend: Backend;
  prepared: PreparedGate;
  /** The change being gated, with the `head_sha` and `pull_request_number` inputs applied. */
  change: ChangeContext;
  /** The drop thresholds, judged against a baseline where a front door has one. */
  drops: BaselinePolicy['drops'];
  /** The backend's inputs that say what is evaluated (`comparable` declarations), by input name, as given. */
  evaluatedInputs: Record<string, string>;
}

/**
 * Validates every input and reads local files; throws {@link InputError} before any network
 * call. `change` is what the front door read of the change from its CI (an event, variables).
 */
export async function planGate(
  raw: RawInputs,
  change: ChangeContext,
  workspace: string = process.cwd(),
): Promise<GatePlan> {
  // Every problem is reported at once: four bad inputs are four lines of one run, not four runs.
  const problems: unknown[] = [];
  const attempt = async <T>(work: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      problems.push(error);
      return undefined;
    }
  };
  const inputs = await attempt(() => parseCommonInputs(raw, BACKENDS));
  const backend = inputs
    ? backendById(inputs.backend)
    : BACKENDS.find((b) => b.id === (raw.backend?.trim().toLowerCase() || BACKEND_IDS[0]));
  if (backend) await attempt(() => rejectForeignInputs(backend, raw));
  if (backend) await attempt(() => requireEvaluationInputs(backend, raw));
  if (backend && inputs) await attempt(() => requireMargins(backend, raw, inputs));
  const drops = backend ? await attempt(() => dropsOf(backend, raw)) : undefined;
  const shared = {
    token: inputs?.token ?? '',
    workspace,
    confidence: inputs?.confidence,
    onInconclusive: inputs?.on_inconclusive ?? 'fail',
    repeats: inputs?.repeats ?? 1,
    minCoverage: inputs?.min_coverage ?? 100,
  };
  const prepared = backend ? await attempt(() => backend.prepare(raw, shared)) : undefined;
  // A margin is bounded against its threshold's value: only once that value is valid (prepared).
  if (backend && inputs && prepared) await attempt(() => boundMargins(backend, raw, inputs));
  const invalid = InputError.combine(problems);
  if (invalid || !inputs || !backend || !prepared)
    throw invalid ?? new Error('unreachable: a plan without problems is complete');
  return {
    drops: drops ?? [],
    // The inputs that say what is evaluated, as given (a backend's `comparable` declared `from: input`).
    evaluatedInputs: Object.fromEntries(
      backend.comparable.flatMap((spec) => {
        const value = 'input' in spec.from ? raw[spec.from.input]?.trim().toLowerCase() : undefined;
        return 'input' in spec.from && value ? [[spec.from.input, value]] : [];
      }),
    ),
    inputs: {
      ...inputs,
      baseUrl:
        inputs.base_url ??
        (backend.evaluates.kind === 'service' ? backend.evaluates.defaultBaseUrl : ''),
    },
    backend,
    prepared,
    change: {
      ...change,
      // Matrix legs share the run, attempt, job and step: the shard tells their evaluations apart.
      gateKey: inputs.shard ? `${change.gateKey}/shard:${inputs.shard}` : change.gateKey,
      commitSha: inputs.head_sha ?? change.commitSha,
      pullRequestNumber: inputs.pull_request_number ?? change.pullRequestNumber,
    },
  };
}

/**
 * A backend that calls a service needs its credential; one that reads an evaluation already
 * run reads none of the service's inputs, and one whose service holds an evaluation already run
 * (Braintrust's experiment) none that poll, repeat or retry: a given one would look as if it
 * were read. A default the runner filled in is not given (`src/action/inputs.ts`).
 */
function requireEvaluationInputs(backend: Backend, raw: RawInputs): void {
  const given = (name: string) => Boolean(raw[name]?.trim());
  const { evaluates } = backend;
  const problems: string[] = [];
  if (evaluates.kind === 'service' && !given('token')) problems.push(TOKEN_REQUIRED);
  const unread = unreadInputs(evaluates).filter(given);
  const what =
    evaluates.kind === 'reads'
      ? `${evaluates.what} (no service to call, nothing to run again)`
      : `${evaluates.existing?.what ?? 'an evaluation already run'} (nothing to poll, nothing to run again)`;
  const samples =
    evaluates.kind === 'service' && evaluates.existing
      ? `; for more samples of each case, ${evaluates.existing.samples}`
      : '';
  problems.push(
    ...unread.map(
      (name) =>
        `Input \`${name}\` is not read with \`backend: ${backend.id}\`, which reads ${what}: remove it${name === 'repeats' ? samples : ''}.`,
    ),
  );
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * `repeats: auto` tests "at least threshold + margin" against "at most threshold − margin": a
 * rate has a default margin, any other figure (a score, a mean) needs one in its own unit.
 */
function requireMargins(backend: Backend, raw: RawInputs, inputs: CommonInputs): void {
  if (inputs.repeats !== 'auto' || inputs.margin !== undefined) return;
  const needing = backend.thresholds.filter((t) => {
    const figure = backend.figures.find((f) => f.name === t.figure);
    const rate = figure?.domain.min === 0 && figure.domain.max === 1;
    return raw[t.input]?.trim() && figure && !figure.domain.integer && !rate;
  });
  if (needing.length === 0) return;
  throw new InputError(
    `Input \`margin\` is required with \`repeats: auto\` and ${needing.map((t) => `\`${t.input}\``).join(', ')}: ${needing.length === 1 ? 'its figure is' : 'their figures are'} not a rate, so there is no default (a rate's is ${DEFAULT_RATE_MARGIN}); set it in the figure's unit, e.g. \`margin: 2\` for points of a score`,
  );
}

/**
 * `repeats: auto`'s hypotheses, threshold ± `margin`, must both be values the figure can take,
 * strictly inside its range (a rate's (0, 1)): past an edge they are clamped onto it, the test
 * then tells "perfect" from "nothing", and any middling value "holds". An input error before
 * any call, naming `margin` and the most it may be.
 */
function boundMargins(backend: Backend, raw: RawInputs, inputs: CommonInputs): void {
  if (inputs.repeats !== 'auto') return;
  const problems = backend.thresholds.flatMap((t) => {
    const figure = backend.figures.find((f) => f.name === t.figure);
    const given = raw[t.input]?.trim();
    const limit = given ? Number(given) : Number.NaN;
    // Counts are judged on their sums, not tested; a limit that is no number is the backend's input error.
    if (!figure || figure.domain.integer || !Number.isFinite(limit)) return [];
    const { min, max } = figure.domain;
    const rate = min === 0 && max === 1;
    const margin = inputs.margin ?? (rate ? DEFAULT_RATE_MARGIN : undefined);
    if (margin === undefined) return [];
    const room = Math.min(
      min === undefined ? Infinity : limit - min,
      max === undefined ? Infinity : max - limit,
    );
    if (margin < room) return [];
    const range = `${figure.label.toLowerCase()}'s range (${figure.domain.described})`;
    const margined = `\`margin\`${inputs.margin === undefined ? ` (default ${margin})` : ` ${margin}`}`;
    const tested = `"at least ${formatNumber(limit + margin)}" against "at most ${formatNumber(limit - margin)}"`;
    if (!(room > 0)) {
      return [
        `Input ${margined} with \`${t.input}: ${given}\` would test ${tested}, and no margin keeps both inside the ${range}: the threshold is at its edge; use a fixed \`repeats\` (e.g. \`repeats: 5\`) for it`,
      ];
    }
    const example = Number((room / 2).toPrecision(1));
    return [
      `Input ${margined} with \`${t.input}: ${given}\` would test ${tested}, outside the ${range}: threshold ± margin must stay strictly inside it; write a \`margin\` below ${formatNumber(room)} (e.g. \`margin: ${formatNumber(example)}\`)`,
    ];
  });
  if (problems.length > 0) throw new InputError(problems);
}

import { z } from 'zod';
import {
  VARIABLE_NAME,
  apiRootList,
  apiRootOf,
  listItems,
  variableList,
} from '../inputs/common-fields.js';
import { parseInputs, type RawInputs } from '../inputs/fields.js';
import { InputError } from '../support/errors.js';
import { excerpt } from '../support/text.js';
import { STEP_VARIABLE } from './config.js';

/*
 * Where an entry's credential may come from and go to. The config file comes with the change;
 * the workflow does not. So the step says both halves: the variables an entry may read
 * (`allowed_token_env`) and the API roots it may send a credential to (its `base_url`: the
 * step's, its backend's public URL, or one in `allowed_base_urls`). The file alone chooses
 * neither.
 */

/** The step's inputs that say what the config file's entries may use: read here, never inherited by an entry. */
export const ALLOWANCE_INPUTS = ['allowed_token_env', 'allowed_base_urls'] as const;

/** What the step allows the config file's entries. */
export interface Allowance {
  /** The variables an entry's `token_env` may name. */
  tokenEnv: ReadonlySet<string>;
  /** API roots, normalized, an entry's `base_url` may be beside the step's and its backend's public URL. */
  baseUrls: ReadonlySet<string>;
}

/**
 * Reads `allowed_token_env` and `allowed_base_urls`, and their problems as the step's
 * (``Input `allowed_token_env` …``). Each list is read on its own, and each item: a wrong item
 * is said once, and the valid ones, of either list, still count, so that no entry is told that
 * what the step lists is not there (the input error stops the run before any call anyway).
 */
export function readAllowance(raw: RawInputs): { allowance: Allowance; problems: string[] } {
  const problems: string[] = [];
  const check = (schema: z.ZodObject) => {
    try {
      parseInputs(schema, raw);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  };
  check(z.object({ allowed_token_env: variableList }));
  check(z.object({ allowed_base_urls: apiRootList }));
  const names = listItems(raw.allowed_token_env).filter((name) => VARIABLE_NAME.test(name));
  const refused = names.filter((name) => STEP_VARIABLE.test(name));
  if (refused.length > 0)
    problems.push(
      `Input \`allowed_token_env\` lists ${refused.map((name) => `\`${excerpt(name, 60)}\``).join(', ')}, a variable of the runner, of the CI or of this gate, which no entry may name (the step's own credentials are never an entry's); remove ${refused.length === 1 ? 'it' : 'them'}`,
    );
  const roots = listItems(raw.allowed_base_urls).flatMap((text) => {
    const read = apiRootOf(text);
    return 'root' in read ? [read.root] : [];
  });
  return {
    allowance: {
      tokenEnv: new Set(names.filter((name) => !STEP_VARIABLE.test(name))),
      baseUrls: new Set(roots),
    },
    problems,
  };
}

/** Why an entry may not read the variable its `token_env` names, or undefined: the step must list it. */
export function tokenEnvProblem(tokenEnv: string, allowance: Allowance): string | undefined {
  if (allowance.tokenEnv.has(tokenEnv)) return undefined;
  const name = excerpt(tokenEnv, 60);
  // `trulayer_api_key` allowed, `TRULAYER_API_KEY` named: two variables on Linux, one name to the eye.
  const cased = [...allowance.tokenEnv].find(
    (allowed) => allowed.toUpperCase() === tokenEnv.toUpperCase(),
  );
  if (cased)
    return `\`token_env\` names \`${name}\`, and the step's input \`allowed_token_env\` lists \`${excerpt(cased, 60)}\`, which differs only in letter case: environment variable names are case-sensitive (on Linux, \`${excerpt(cased, 60)}\` is another variable); write the variable's name the same way in both`;
  return `\`token_env\` names \`${name}\`, which the step does not allow: the file comes with the change, and may not choose which of the step's variables are sent to a backend; add \`${name}\` to the step's input \`allowed_token_env\` where the step is defined (the workflow or pipeline, not this file; none is allowed by default), or remove \`token_env\``;
}

/**
 * Why an entry's own `base_url` is not an API root the step allows, or undefined: it must be
 * the step's `base_url`, its backend's public URL, or one in `allowed_base_urls`, compared
 * normalized. A `base_url` that is no API root at all is left to its own input error.
 */
export function baseUrlProblem(
  baseUrl: string,
  allowed: { stepBaseUrl: string | undefined; publicUrl: string | undefined; allowance: Allowance },
): string | undefined {
  const read = apiRootOf(baseUrl.trim());
  if (!('root' in read)) return undefined;
  const rootOf = (text: string | undefined) => {
    const other = text?.trim() ? apiRootOf(text.trim()) : undefined;
    return other && 'root' in other ? other.root : undefined;
  };
  const roots = new Set([
    ...[allowed.stepBaseUrl, allowed.publicUrl].map(rootOf).filter(Boolean),
    ...allowed.allowance.baseUrls,
  ]);
  if (roots.has(read.root)) return undefined;
  return `\`base_url\` is ${excerpt(read.root, 120)}, an API root the step does not allow: the file comes with the change, and may not choose where a credential is sent; use the step's input \`base_url\`${allowed.publicUrl ? ` or the backend's public URL (${allowed.publicUrl})` : ''}, or add it to the step's input \`allowed_base_urls\` where the step is defined (the workflow or pipeline, not this file)`;
}

/**
 * Why an entry's credential cannot be used, or undefined. Its `token_env` must hold a value,
 * and never the step's GitHub or GitLab token, nor, for an API root of the entry's own, the
 * step's `token`; without `token_env`, an entry of another backend or API root than the step's
 * has none (the step's `token` is never sent where the file alone says).
 */
export function credentialProblem(
  tokenEnv: string | undefined,
  given: string | undefined,
  step: {
    /** The entry's backend, when it is one the gate knows. */
    backend: string | undefined;
    stepBackend: string;
    ownOrigin: boolean;
    stepToken: string;
    reportingTokens: readonly string[];
  },
): string | undefined {
  if (tokenEnv && !given)
    return `\`token_env\` names \`${tokenEnv}\`, which is empty or not set in the step's environment; pass the secret to the step as that variable (on GitHub, \`env: ${tokenEnv}: \${{ secrets.${tokenEnv} }}\`)`;
  if (tokenEnv && given && step.reportingTokens.includes(given))
    return `\`token_env\` names \`${tokenEnv}\`, which holds the step's GitHub or GitLab token (the step's \`github_token\` or the step's \`gitlab_token\`), never a backend's credential: name the variable that holds this entry's own`;
  if (tokenEnv && given && step.ownOrigin && given === step.stepToken)
    return `\`token_env\` names \`${tokenEnv}\`, which holds the step's own \`token\`, and the step's \`token\` is never sent to an API root the file chooses (\`base_url\`): name the variable that holds this entry's own credential`;
  if (!tokenEnv && step.backend && step.backend !== step.stepBackend)
    return `\`backend: ${step.backend}\` is not the step's (\`${step.stepBackend}\`), whose \`token\` is never sent to another backend: name the variable that holds this entry's credential with \`token_env\``;
  if (!tokenEnv && step.ownOrigin)
    return "`base_url` is the entry's own, and the step's `token` is never sent to an API root the file chooses: name the variable that holds this entry's credential with `token_env`";
  return undefined;
}

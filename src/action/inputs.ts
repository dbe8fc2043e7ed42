import * as core from '@actions/core';
import type { RawInputs } from '../core/inputs/fields.js';

/** Reads the named inputs from the runner and masks every credential before anything else runs. */
export function readRawInputs(names: readonly string[], secrets: readonly string[] = ['token', 'github_token']): RawInputs {
  const raw = Object.fromEntries(names.map((name) => [name, core.getInput(name)]));
  for (const name of secrets) if (raw[name]) core.setSecret(raw[name]);
  return raw;
}

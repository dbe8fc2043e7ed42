import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ACTION_INPUTS, readRawInputs, runnerDefault } from '../../src/action/inputs.js';
import { planAction } from '../../src/action/plan.js';
import { BACKENDS } from '../../src/core/backends/registry.js';
import {
  commonSchema,
  DEFAULT_MAX_REPEATS,
  DEFAULT_MIN_REPEATS,
} from '../../src/core/inputs/common.js';
import { GitHubInputs } from '../../src/report/github/inputs.js';
import { inputEnvironment, inputVariable } from '../support/runner.js';

const FIELDS: Record<string, z.ZodType> = {
  ...commonSchema(BACKENDS).shape,
  ...GitHubInputs.shape,
};
/** Inputs whose schema keeps "not given" apart (a rule reads it), and the default the gate then applies. */
const APPLIED_LATER: Record<string, unknown> = {
  max_repeats: DEFAULT_MAX_REPEATS,
  min_repeats: DEFAULT_MIN_REPEATS,
};

describe('an input at the default action.yml declares', () => {
  it('reads exactly as the input left out: every schema reads "" as its declared default', () => {
    const defaulted = ACTION_INPUTS.filter(
      (input) => runnerDefault(input) !== undefined && !runnerDefault(input)!.includes('${{'),
    );
    expect(defaulted.map((input) => input.name)).toEqual(
      expect.arrayContaining(['max_repeats', 'min_repeats', 'history', 'mode', 'comment']),
    );
    for (const input of defaulted) {
      const field = FIELDS[input.name];
      expect(field, input.name).toBeDefined();
      const empty = field!.parse('');
      expect(empty === undefined ? APPLIED_LATER[input.name] : empty, input.name).toEqual(
        field!.parse(runnerDefault(input)),
      );
    }
  });

  it('is read as left out, so that no "only with" rule fires on what the runner filled in', async () => {
    const env = inputEnvironment(
      {
        token: 'sx_key',
        campaign_id: '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c',
        min_pass_rate: '0.85',
      },
      'ghs_token',
    );
    const { raw } = readRawInputs(env as NodeJS.ProcessEnv);
    expect(env[inputVariable('max_repeats')]).toBe('5');
    expect(raw.max_repeats).toBe('');
    expect(raw.github_token).toBe('ghs_token');
    await expect(
      planAction(raw, {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'a'.repeat(40),
      }),
    ).resolves.toMatchObject({ run: { evaluation: { kind: 'gate' } } });
  });

  it('given other than its default, is read as written, and its rule still holds', async () => {
    const env = inputEnvironment(
      { token: 'sx_key', campaign_id: '0d7e5b1c-6a3f-4e8a-9b2d-1c4f5e6a7b8c', max_repeats: '8' },
      'ghs_token',
    );
    const { raw } = readRawInputs(env as NodeJS.ProcessEnv);
    await expect(
      planAction(raw, {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'a'.repeat(40),
      }),
    ).rejects.toThrow(/`max_repeats` is read only with `repeats: auto`/);
  });
});

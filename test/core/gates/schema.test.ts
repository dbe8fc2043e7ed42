import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatedGatesSchema } from '../../../scripts/action-yml.js';

const published = readFileSync(
  new URL('../../../reliability-gates.schema.json', import.meta.url),
  'utf8',
);
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  JSON.parse(published),
);

describe("the config file's JSON Schema", () => {
  it('is what the declarations make (npm run action-yml)', () => {
    expect(published).toBe(generatedGatesSchema());
  });

  it('accepts the example config, and flags what the gate refuses as an editor would', () => {
    const example = parse(
      readFileSync(new URL('../../../examples/reliability-gates.yml', import.meta.url), 'utf8'),
    );
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const wrong = (entry: Record<string, unknown>) =>
      validate({ gates: [{ name: 'a', ...entry }] });
    expect(wrong({ min_pas_rate: 0.8 })).toBe(false);
    expect(wrong({ token: 'sx_live_x' })).toBe(false);
    expect(wrong({ mode: 'soft' })).toBe(false);
    expect(wrong({ github_token: 'x' })).toBe(false);
    expect(validate({ gates: [{ name: 'bad name' }] })).toBe(false);
    expect(wrong({ min_pass_rate: 0.8, campaign_name: 'x', paths: ['a/**'], token_env: 'T' })).toBe(
      true,
    );
    expect(wrong({ min_pass_rate: '0.8' })).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localActionEnv } from '../../scripts/local-env.js';
import { actionMetadata, inputVariable } from '../support/runner.js';

describe('.env.example, for @github/local-action against npm run fake-backend', () => {
  it('is what scripts/local-env.ts makes for the default ports: regenerate it when action.yml changes', () => {
    const committed = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(localActionEnv('http://127.0.0.1:4010', 'http://127.0.0.1:4011'));
  });

  it("sets every default action.yml declares, as the runner does, and the quick start's with:", () => {
    const lines = localActionEnv('http://127.0.0.1:1', 'http://127.0.0.1:2').split('\n');
    for (const [name, input] of Object.entries(actionMetadata().inputs)) {
      if (input.default !== undefined)
        expect(
          lines.some((line) => line.startsWith(`${inputVariable(name)}=`)),
          name,
        ).toBe(true);
    }
    expect(lines).toContain(`${inputVariable('min_pass_rate')}=0.85`);
    expect(lines).toContain(`${inputVariable('base_url')}=http://127.0.0.1:1`);
  });
});

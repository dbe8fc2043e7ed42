import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/core/support/secrets.js';

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret in every string, however deep', () => {
    const value = {
      reason: 'HTTP 401: bad key sx_live_123456 (sx_live_123456)',
      ids: { run_id: 'r' },
      tools: [{ tool: 'ghs_abcdef', count: 1 }],
      n: 3,
    };
    expect(redactSecrets(value, ['sx_live_123456', 'ghs_abcdef', undefined])).toEqual({
      reason: 'HTTP 401: bad key *** (***)',
      ids: { run_id: 'r' },
      tools: [{ tool: '***', count: 1 }],
      n: 3,
    });
  });

  it('leaves values alone when there is no secret worth redacting', () => {
    const value = { reason: 'a b c' };
    expect(redactSecrets(value, ['', 'ab', undefined])).toBe(value);
  });
});

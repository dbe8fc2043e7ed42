import { describe, expect, it } from 'vitest';
import {
  baseUrlProblem,
  readAllowance,
  tokenEnvProblem,
} from '../../../src/core/gates/credential.js';

const allowance = (raw: Record<string, string>) => readAllowance(raw).allowance;

describe("what the step allows a config file's entries", () => {
  it('reads lists separated by commas, spaces or new lines', () => {
    const { allowance: read, problems } = readAllowance({
      allowed_token_env: 'TRULAYER_API_KEY, OTHER_KEY\nTHIRD_KEY',
      allowed_base_urls: 'https://a.example/api/\n  HTTPS://B.Example:443',
    });
    expect(problems).toEqual([]);
    expect([...read.tokenEnv]).toEqual(['TRULAYER_API_KEY', 'OTHER_KEY', 'THIRD_KEY']);
    expect([...read.baseUrls]).toEqual(['https://a.example/api', 'https://b.example']);
  });

  it('allows nothing by default', () => {
    expect(tokenEnvProblem('TRULAYER_API_KEY', allowance({}))).toContain(
      "the step's input `allowed_token_env`",
    );
    expect(
      tokenEnvProblem('TRULAYER_API_KEY', allowance({ allowed_token_env: 'TRULAYER_API_KEY' })),
    ).toBe(undefined);
    // Names are exact: a variable's case is part of its name, and a name that differs only in case is said so.
    expect(
      tokenEnvProblem('TRULAYER_API_KEY', allowance({ allowed_token_env: 'trulayer_api_key' })),
    ).toBe(
      "`token_env` names `TRULAYER_API_KEY`, and the step's input `allowed_token_env` lists `trulayer_api_key`, which differs only in letter case: environment variable names are case-sensitive (on Linux, `trulayer_api_key` is another variable); write the variable's name the same way in both",
    );
    expect(
      tokenEnvProblem('trulayer_api_key', allowance({ allowed_token_env: 'TRULAYER_API_KEY' })),
    ).toContain('differs only in letter case');
  });

  it('reads each list on its own: an invalid item is said once, and the valid items of both lists still count', () => {
    const urls = readAllowance({
      allowed_token_env: 'TRULAYER_API_KEY',
      allowed_base_urls: 'http://example.com/api https://ok.example',
    });
    expect(urls.problems).toEqual([
      expect.stringContaining('Input `allowed_base_urls` item 1 is refused: plain http'),
    ]);
    expect(tokenEnvProblem('TRULAYER_API_KEY', urls.allowance)).toBe(undefined);
    expect(
      baseUrlProblem('https://ok.example', {
        stepBaseUrl: undefined,
        publicUrl: undefined,
        allowance: urls.allowance,
      }),
    ).toBe(undefined);
    const names = readAllowance({
      allowed_token_env: 'A-B GITHUB_TOKEN OK_KEY C.D',
      allowed_base_urls: 'https://ok.example',
    });
    expect(names.problems).toEqual([
      expect.stringContaining('Input `allowed_token_env` lists "A-B", "C.D", not variable names'),
      expect.stringContaining(
        'Input `allowed_token_env` lists `GITHUB_TOKEN`, a variable of the runner',
      ),
    ]);
    expect([...names.allowance.tokenEnv]).toEqual(['OK_KEY']);
    expect([...names.allowance.baseUrls]).toEqual(['https://ok.example']);
  });

  it("refuses what is not a variable or an API root, and the runner's own variables", () => {
    expect(readAllowance({ allowed_token_env: 'A-B' }).problems).toEqual([
      expect.stringContaining('Input `allowed_token_env` lists "A-B", not a variable name'),
    ]);
    expect(
      readAllowance({ allowed_token_env: 'GITHUB_TOKEN ACTIONS_RUNTIME_TOKEN' }).problems,
    ).toEqual([
      expect.stringContaining(
        'lists `GITHUB_TOKEN`, `ACTIONS_RUNTIME_TOKEN`, a variable of the runner',
      ),
    ]);
    expect(
      readAllowance({ allowed_base_urls: 'https://ok.example http://evil.example' }).problems,
    ).toEqual([expect.stringContaining('Input `allowed_base_urls` item 2 is refused: plain http')]);
    // An item that cannot be read allows nothing; the others still count (the input error stops the run).
    expect([...allowance({ allowed_base_urls: 'https://ok.example ftp://x' }).baseUrls]).toEqual([
      'https://ok.example',
    ]);
  });

  it("compares an entry's base_url with the allowed API roots normalized: scheme and host case, default port, trailing slash", () => {
    const allowed = {
      stepBaseUrl: 'https://step.example/api/',
      publicUrl: 'https://api.trulayer.ai',
      allowance: allowance({ allowed_base_urls: 'https://eu.trulayer.example/v1' }),
    };
    for (const same of [
      'https://step.example/api',
      'HTTPS://STEP.example:443/api/',
      'https://api.trulayer.ai/',
      'https://eu.trulayer.example:443/v1//',
    ])
      expect(baseUrlProblem(same, allowed), same).toBe(undefined);
    for (const other of [
      'https://step.example/API',
      'https://step.example:8443/api',
      'https://step.example/api/other',
      'https://step.example.evil.example/api',
      'https://eu.trulayer.example',
      'http://127.0.0.1:9/api',
    ])
      expect(baseUrlProblem(other, allowed), other).toContain(
        'an API root the step does not allow',
      );
    // Not a URL at all: its own input error says so.
    expect(baseUrlProblem('not a url', allowed)).toBe(undefined);
  });
});

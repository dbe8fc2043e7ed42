import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { CLI_INPUTS, inFlagWords, readRequest } from '../../src/cli/flags.js';
import { GATE_INPUTS } from '../../src/core/vocabulary.js';

describe('readRequest', () => {
  it('reads every gate input from its flag or its GATE_ variable, the flag first', () => {
    const request = readRequest(['--trace-file', 't.json', '--min-pass-rate=0.9', '--junit', 'j.xml'], { GATE_TRACE_FILE: 'ignored.json', GATE_TOKEN: 'tok', GATE_CAMPAIGN_NAME: 'c' });
    expect(request.inputs).toMatchObject({ trace_file: 't.json', min_pass_rate: '0.9', token: 'tok', campaign_name: 'c', trace_id: '' });
    expect(request).toMatchObject({ junit: 'j.xml', verbose: false, help: false });
  });

  it('has a flag for every input the action has, but GitHub reporting', () => {
    expect(CLI_INPUTS.map((i) => i.name)).toEqual(GATE_INPUTS.filter((i) => !i.actionOnly).map((i) => i.name));
    expect(() => readRequest(['--github-token', 'x'], {})).toThrow(InputError);
  });

  it('suggests the flag meant', () => {
    expect(() => readRequest(['--min-pass-rat', '1'], {})).toThrow('Unknown flag --min-pass-rat; did you mean --min-pass-rate?');
    expect(() => readRequest(['--zzz'], {})).toThrow(/^Unknown flag --zzz See --help/);
  });
});

describe('inFlagWords', () => {
  it('names flags where the action names inputs', () => {
    expect(inFlagWords('Input `trace_file` / `trace_id`: give one of them, not both: `trace_file` uploads…')).toBe('--trace-file / --trace-id: give one of them, not both: --trace-file uploads…');
    expect(inFlagWords('Inputs are invalid:\n- `min_pass_rate` is "85".')).toBe('Flags are invalid:\n- --min-pass-rate is "85".');
    expect(inFlagWords('set `head` or `unknown_thing`')).toBe('set `head` or `unknown_thing`');
  });
});

import { describe, expect, it } from 'vitest';
import { CLI_INPUTS, inFlagWords, readRequest } from '../../src/cli/flags.js';
import { GATE_INPUTS } from '../../src/core/backends/vocabulary.js';

describe('readRequest', () => {
  it('reads every gate input from its flag or its GATE_ variable, the flag first', () => {
    const request = readRequest(
      ['--trace-file', 't.json', '--min-pass-rate=0.9', '--junit', 'j.xml'],
      { GATE_TRACE_FILE: 'ignored.json', GATE_TOKEN: 'tok', GATE_CAMPAIGN_NAME: 'c' },
    );
    expect(request.inputs).toMatchObject({
      trace_file: 't.json',
      min_pass_rate: '0.9',
      token: 'tok',
      campaign_name: 'c',
      trace_id: '',
    });
    expect(request).toMatchObject({ junit: 'j.xml', verbose: false, help: false });
  });

  it("has a flag for every input the action has, GitHub reporting's from another CI and GitLab's note besides", () => {
    expect(CLI_INPUTS.map((i) => i.name)).toEqual([
      ...GATE_INPUTS.map((i) => i.name),
      ...['github_token', 'github_api_url', 'repository', 'check_name', 'comment', 'baseline'],
      'gitlab_token',
    ]);
    expect(
      readRequest(['--github-token', 'x', '--repository', 'acme/agents'], {}).problems,
    ).toEqual([]);
    expect(readRequest(['--github-tokn', 'x'], {}).problems).toEqual([
      'Unknown flag --github-tokn; did you mean --github-token? See --help for every flag',
    ]);
  });

  it('suggests the flag meant, and says every problem at once', () => {
    expect(readRequest(['--min-pass-rat', '1', '--zzz', '--trace-id', 't'], {}).problems).toEqual([
      'Unknown flag --min-pass-rat; did you mean --min-pass-rate? See --help for every flag',
      'Unknown flag --zzz. See --help for every flag',
    ]);
  });

  it('refuses a misspelt GATE_ variable, naming the one meant', () => {
    const { problems } = readRequest([], {
      GATE_MIN_PASS_RAT: '0.85',
      GATE_TOKEN: 't',
      GATE_CHECK_NAME: 'gate',
      OTHER: 'x',
    });
    expect(problems).toEqual([
      'Variable GATE_MIN_PASS_RAT is not an input of the command line; did you mean GATE_MIN_PASS_RATE? Fix or unset it: a misspelt input is not read, and a threshold that is not read cannot hold the gate',
    ]);
  });

  it('never repeats a value it cannot place: it may be a secret', () => {
    const cases = [
      ['--verbose', 'sx_SECRET'],
      ['--verbose=sx_SECRET'],
      ['sx_SECRET'],
      ['--tokn', 'sx_SECRET'],
      ['--tokn=sx_SECRET'],
      ['--help', 'sx_SECRET'],
    ];
    for (const argv of cases) {
      const { problems } = readRequest(argv, {});
      expect(problems, argv.join(' ')).toHaveLength(1);
      expect(problems.join(' '), argv.join(' ')).not.toContain('SECRET');
    }
    expect(readRequest(['--verbose', 'sx_SECRET'], {}).problems).toEqual([
      'Flag --verbose takes no value, but a word follows it; remove the word',
    ]);
  });

  it('takes a negative number as a value, and a flag in its place as a missing value', () => {
    expect(readRequest(['--delta-tolerance', '-0.02'], {})).toMatchObject({
      inputs: { delta_tolerance: '-0.02' },
      problems: [],
    });
    expect(readRequest(['--token', '--verbose'], {}).problems).toEqual([
      'Flag --token needs a value: write --token VALUE (or --token=VALUE)',
    ]);
    expect(readRequest(['--junit', 'a.xml', '--junit', 'b.xml'], {}).problems).toEqual([
      'Flag --junit is given twice; give it once',
    ]);
  });
});

describe('inFlagWords', () => {
  it('names flags where the action names inputs', () => {
    expect(
      inFlagWords(
        'Input `trace_file` / `trace_id`: give one of them, not both: `trace_file` uploads…',
      ),
    ).toBe('--trace-file / --trace-id: give one of them, not both: --trace-file uploads…');
    expect(inFlagWords('Inputs are invalid:\n- `min_pass_rate` is "85".')).toBe(
      'Flags are invalid:\n- --min-pass-rate is "85".',
    );
    expect(inFlagWords('set `head` or `unknown_thing`')).toBe('set `head` or `unknown_thing`');
    // A secret goes in a variable, never on a command line.
    expect(inFlagWords('Input `token` is required.')).toBe('GATE_TOKEN is required.');
  });
});

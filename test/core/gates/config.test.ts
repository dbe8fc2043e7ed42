import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGatesConfig } from '../../../src/core/gates/config.js';
import { InputError } from '../../../src/core/support/errors.js';
import { GATE_INPUTS } from '../../../src/core/backends/vocabulary.js';
import { scratchDir } from '../../support/scratch.js';

const NAMES = GATE_INPUTS.map((input) => input.name);

function file(text: string, name = '.github/reliability-gates.yml'): string {
  const dir = scratchDir('gates-config');
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, name), text);
  return dir;
}

/** Every problem of the file, as the plan says them: the file's, then each entry's with its label. */
const problems = async (text: string) => {
  const read = await readGatesConfig('.github/reliability-gates.yml', file(text), NAMES).catch(
    (e: unknown) => e,
  );
  if (read instanceof InputError) return read.problems;
  if (read instanceof Error) throw read;
  const config = read as Awaited<ReturnType<typeof readGatesConfig>>;
  return [
    ...config.problems,
    ...config.entries.flatMap((entry) =>
      entry.problems.map(
        (problem) => `In \`.github/reliability-gates.yml\`, gate ${entry.label}: ${problem}`,
      ),
    ),
  ];
};

describe('the config file of many gates', () => {
  it('reads YAML numbers, booleans and strings alike, as the runner would hand them over', async () => {
    const dir = file(`gates:
  - name: a.b_c-1
    paths: agents/a/**
    min_pass_rate: 0.8
    max_unsafe: "0"
    require_all_repeats: true
    repeats: 3
    token_env: A_TOKEN
  - name: always
    campaign_name: "on"
`);
    const config = await readGatesConfig('.github/reliability-gates.yml', dir, NAMES);
    expect(config.repositoryPath).toBe('.github/reliability-gates.yml');
    expect(config.entries).toEqual([
      {
        label: '`a.b_c-1`',
        name: 'a.b_c-1',
        paths: ['agents/a/**'],
        tokenEnv: 'A_TOKEN',
        inputs: {
          min_pass_rate: '0.8',
          max_unsafe: '0',
          require_all_repeats: 'true',
          repeats: '3',
        },
        problems: [],
      },
      // YAML 1.2: `on` is a string, not a boolean.
      {
        label: '`always`',
        name: 'always',
        paths: [],
        inputs: { campaign_name: 'on' },
        problems: [],
      },
    ]);
  });

  it('names every problem with its entry', async () => {
    const said = await problems(`gates:
  - name: a
    min_pas_rate: 0.8
    paths: []
    trace_file: [a, b]
    token_env: "not a variable"
  - name: a
  - paths: [x]
  - name: constructor
  - name: b
    check_name: Mine
    shard: one
    head_sha: abc
    token_env: GITHUB_TOKEN
`);
    expect(said).toEqual([
      expect.stringContaining('gate `a`: `paths` must be a glob or a list of 1 to 100 globs'),
      expect.stringContaining('gate `a`: `token_env` must name an environment variable'),
      expect.stringContaining(
        'gate `a`: `min_pas_rate` is not a key of an entry; did you mean `min_pass_rate`?',
      ),
      expect.stringContaining('gate `a`: `trace_file` must be one value'),
      expect.stringContaining("gate #2 (`a`): its `name` is gate #1's too"),
      expect.stringContaining('gate #3: `name` is required'),
      expect.stringContaining(
        'gate `constructor`: `name` is "constructor", a word the record\'s keys cannot hold',
      ),
      expect.stringContaining(
        'gate `b`: `token_env` names `GITHUB_TOKEN`, a variable of the runner, of the CI or of this gate',
      ),
      expect.stringContaining(
        'gate `b`: `check_name` cannot be set for one entry: every entry reports in the one check',
      ),
      expect.stringContaining('gate `b`: `shard` cannot be set for one entry'),
      expect.stringContaining('gate `b`: `head_sha` cannot be set for one entry'),
    ]);
    expect(said.every((p) => p.startsWith('In `.github/reliability-gates.yml`, gate '))).toBe(true);
  });

  it('refuses a file that is missing, outside the workspace, not YAML, or not a list of gates', async () => {
    const dir = file('gates: []\n');
    const read = (path: string) =>
      readGatesConfig(path, dir, NAMES).then(
        () => 'read',
        (e: InputError) => e.message,
      );
    expect(await read('.github/nope.yml')).toMatch(
      /names `\.github\/nope\.yml`, which does not exist \(check out the repository first/,
    );
    expect(await read('../elsewhere.yml')).toContain('outside the workspace');
    expect(await read('.github/reliability-gates.yml')).toContain(
      'must hold `gates:`, a list of 1 to 100 entries',
    );
    expect((await problems('gates:\n  - name: a\n  name: b\n')).join()).toContain(
      'is not valid YAML (line',
    );
    expect(
      (
        await problems('gates:\n  - name: a\n    min_pass_rate: 0.8\n    min_pass_rate: 0.9\n')
      ).join(),
    ).toContain('is not valid YAML');
    expect((await problems('gates:\n  - name: a\nextra: 1\n')).join()).toContain(
      'holds `extra:` beside `gates:`, which is all it holds',
    );
    writeFileSync(join(dir, '.github/typo.yml'), 'gate:\n  - name: a\n');
    expect(await read('.github/typo.yml')).toContain('it has `gate:`, did you mean `gates:`?');
    writeFileSync(join(dir, '.github/list.yml'), '- name: a\n');
    expect(await read('.github/list.yml')).toContain('it is a list: put it under `gates:`');
  });
});

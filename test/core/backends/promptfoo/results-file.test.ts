import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsFile } from '../../../../src/core/backends/promptfoo/results-file.js';
import { InputError } from '../../../../src/core/support/errors.js';
import { promptfooJson, promptfooWorkspace } from '../../../support/promptfoo.js';
import { scratchDir } from '../../../support/scratch.js';
import { writePromptfooResults } from '../../../../bench/promptfoo.js';

const altered = (change: (file: ReturnType<typeof promptfooJson>) => void) => {
  const file = promptfooJson('regressed');
  change(file);
  return promptfooWorkspace({ 'results.json': { text: JSON.stringify(file) } });
};

describe('readResultsFile on what promptfoo wrote', () => {
  it('reads the rows, the suite and the eval id', async () => {
    const read = await readResultsFile(
      'results.json',
      promptfooWorkspace({ 'results.json': 'repeats' }),
    );
    if ('unusable' in read) throw new Error(read.unusable);
    expect(read.rows).toHaveLength(15);
    expect(read.description).toBe('billing agent');
    expect(read.evalId).toMatch(/^eval-/);
    // promptfoo wrote no share link (shareableUrl: null).
    expect(read.shareableUrl).toBeUndefined();
  });

  it('keeps an https share link only', async () => {
    const https = await readResultsFile(
      'results.json',
      altered((f) => (f.shareableUrl = 'https://app.promptfoo.dev/eval/abc')),
    );
    expect(https).toMatchObject({ shareableUrl: 'https://app.promptfoo.dev/eval/abc' });
    const script = await readResultsFile(
      'results.json',
      altered((f) => (f.shareableUrl = 'javascript:alert(1)')),
    );
    expect(script).not.toHaveProperty('shareableUrl');
  });
});

describe('readResultsFile refuses a file that is not promptfoo output (input errors)', () => {
  const refused = async (workspace: string, path = 'results.json') => {
    const error = await readResultsFile(path, workspace).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  };

  it('a missing file', async () => {
    expect(await refused(promptfooWorkspace())).toContain(
      'does not exist: run `promptfoo eval -o results.json`',
    );
  });

  it('a file cut short', async () => {
    const text = JSON.stringify(promptfooJson('pass')).slice(0, 5000);
    expect(await refused(promptfooWorkspace({ 'results.json': { text } }))).toContain(
      'is not JSON',
    );
  });

  it('an empty file', async () => {
    expect(await refused(promptfooWorkspace({ 'results.json': { text: '' } }))).toContain(
      'is empty',
    );
  });

  it('JSON of another tool', async () => {
    const workspace = promptfooWorkspace({ 'results.json': { text: '{"tests": []}' } });
    expect(await refused(workspace)).toContain("is not promptfoo's output");
  });

  it('a path outside the workspace, or a link out of it', async () => {
    const workspace = promptfooWorkspace();
    expect(await refused(workspace, '../results.json')).toContain('is outside the workspace');
    const outside = promptfooWorkspace({ 'results.json': 'pass' });
    symlinkSync(join(outside, 'results.json'), join(workspace, 'linked.json'));
    expect(await refused(workspace, 'linked.json')).toContain('is outside the workspace');
  });

  it('a folder', async () => {
    const workspace = scratchDir('promptfoo-folder');
    mkdirSync(join(workspace, 'results.json'));
    expect(await refused(workspace)).toContain('is not a file');
  });
});

describe("readResultsFile: promptfoo's output it cannot judge is unusable (could not evaluate)", () => {
  const unusable = async (workspace: string) => {
    const read = await readResultsFile('results.json', workspace);
    expect(read).toHaveProperty('unusable');
    return (read as { unusable: string }).unusable;
  };

  it('another version', async () => {
    expect(await unusable(altered((f) => (f.results.version = 2)))).toContain('version 2');
  });

  it('no rows', async () => {
    expect(
      await unusable(
        altered((f) => {
          f.results.results = [];
          f.results.stats = { successes: 0, failures: 0, errors: 0 };
        }),
      ),
    ).toContain('no result rows');
  });

  it('stats that disagree with the rows: a failing row removed', async () => {
    const reason = await unusable(altered((f) => void f.results.results.splice(0, 1)));
    expect(reason).toContain('`results.stats` disagrees with the rows (failures 2, rows 1)');
  });

  it('a row flipped to success without its failure reason', async () => {
    const reason = await unusable(
      altered((f) => {
        f.results.results[0]!.success = true;
      }),
    );
    expect(reason).toContain('row 1 says `success: true` with `failureReason: 1`');
  });

  it('a row of another shape', async () => {
    const reason = await unusable(
      altered((f) => {
        f.results.results[2]!.failureReason = 7;
      }),
    );
    expect(reason).toContain('row 3 is not a promptfoo result');
  });

  it('a row written twice: the file was merged or forged', async () => {
    const reason = await unusable(
      altered((f) => {
        f.results.results.push(structuredClone(f.results.results[1]!));
        (f.results.stats as { successes: number }).successes += 1;
      }),
    );
    expect(reason).toContain('is a second row of test 1 in column 0');
  });

  it('a row that passed while its grader says it did not', async () => {
    const reason = await unusable(
      altered((f) => {
        const row = f.results.results[0]!;
        row.success = true;
        row.failureReason = 0;
        const stats = f.results.stats as { successes: number; failures: number };
        stats.successes += 1;
        stats.failures -= 1;
      }),
    );
    expect(reason).toContain('while its grader says it did not pass');
  });
});

describe('readResultsFile keeps outside text to one printable line', () => {
  it('a description with escape sequences, a share link that is not one', async () => {
    const read = await readResultsFile(
      'results.json',
      altered((f) => {
        (f.config as { description: string }).description =
          'S\u001b[2K\u001b[1Aforged\nline \u202eRTL';
        f.shareableUrl = 'https://app.promptfoo.dev/eval/a b\n::error::x';
      }),
    );
    if ('unusable' in read) throw new Error(read.unusable);
    expect(read.description).toBe('Sforged line RTL');
    expect(read).not.toHaveProperty('shareableUrl');
  });

  it('an output name promptfoo writes no JSON for is said so', async () => {
    const workspace = promptfooWorkspace({ 'results.jsonl': { text: '{"a":1}\n{"a":2}\n' } });
    const error = await readResultsFile('results.jsonl', workspace).catch((e: unknown) => e);
    expect((error as Error).message).toContain('run `promptfoo eval -o results.json`');
  });
});

describe('readResultsFile on a large file', () => {
  it('finds a malformed row deep in the file: could not evaluate, naming the row', async () => {
    const dir = scratchDir('promptfoo-large');
    writePromptfooResults(join(dir, 'results.json'), 3000);
    const text = readFileSync(join(dir, 'results.json'), 'utf8');
    const file = JSON.parse(text) as ReturnType<typeof promptfooJson>;
    (file.results.results[2876] as { failureReason: unknown }).failureReason = 3;
    const read = await readResultsFile(
      'results.json',
      promptfooWorkspace({ 'results.json': { text: JSON.stringify(file, null, 2) } }),
    );
    expect(read).toEqual({
      unusable: expect.stringContaining(
        'row 2877 is not a promptfoo result the gate can read (`failureReason`',
      ) as unknown as string,
    });
  });

  it('keeps of each row only what the cases read: no output, no stack, one line of a reason', async () => {
    const read = await readResultsFile(
      'results.json',
      promptfooWorkspace({ 'results.json': 'errors' }),
    );
    if ('unusable' in read) throw new Error(read.unusable);
    for (const row of read.rows) {
      expect(row).not.toHaveProperty('response.output');
      expect(row.error ?? '').not.toContain('\n');
    }
  });

  it('keeps a var named __proto__ as an own var', async () => {
    const file = promptfooJson('pass');
    const text = JSON.stringify(file).replaceAll('"vars":{', '"vars":{"__proto__":"admin",');
    const read = await readResultsFile(
      'results.json',
      promptfooWorkspace({ 'results.json': { text } }),
    );
    if ('unusable' in read) throw new Error(read.unusable);
    const vars = read.rows[0]?.testCase.vars ?? {};
    expect(Object.keys(vars)).toContain('__proto__');
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype);
  });
});

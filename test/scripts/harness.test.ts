import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';
import { scratchDir } from '../support/scratch.js';

describe('a harness of its own built on test/support', () => {
  it('leaves nothing in $TMPDIR when it starts the bundle with runAction and never cleans up', async () => {
    const tmp = scratchDir('harness-tmp');
    const script = join(scratchDir('harness'), 'try-the-action.mts');
    const runner = pathToFileURL(join(REPOSITORY_ROOT, 'test/support/runner.ts')).href;
    // As a new user writes one: run the action once, print what it decided, and end.
    writeFileSync(
      script,
      `import { runAction } from ${JSON.stringify(runner)};\nconst run = await runAction({ inputs: {}, eventName: 'push' });\nconsole.log('exit', run.exitCode, run.dir.startsWith(process.env.TMPDIR ?? '') ? 'in-tmp' : 'elsewhere');\n`,
    );
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx/esm', script],
        { cwd: REPOSITORY_ROOT, env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1' } },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    );
    // The action ran (and refused its missing inputs) in a runner folder under that $TMPDIR.
    expect(output.trim()).toBe('exit 1 in-tmp');
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});

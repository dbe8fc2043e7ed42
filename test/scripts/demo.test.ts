import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/runner.js';
import { pathWithout } from '../support/tools.js';

/** The tools only some tests use: a newcomer who runs the demo need not have any of them. */
const TEST_TOOLS = ['cmark-gfm', 'chromium', 'chromium-browser', 'rsync'];

/**
 * `npm run demo`'s output, as a newcomer's terminal shows it (no colour: not a TTY), on a
 * machine without the test tools (a PATH without them).
 */
function demo(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx/esm', 'scripts/demo.ts'],
      {
        cwd: REPOSITORY_ROOT,
        env: { ...process.env, PATH: pathWithout(TEST_TOOLS), TSX_DISABLE_CACHE: '1' },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: stdout + stderr }),
    );
  });
}

describe('npm run demo', () => {
  it('keeps within 100 columns, and every id in it can be copied as it is', async () => {
    const { code, output } = await demo();
    expect(code, output).toBe(0);
    // What the tests need is said by the tests, once; the demo needs none of it.
    expect(output).not.toMatch(/cmark-gfm|chromium|rsync|gitlab-ci-local/i);
    const lines = output.split('\n');
    // Only a URL longer than a line may stand out, alone on its line.
    expect(
      lines.filter(
        (line) => [...line].length > 100 && !/^[\s│]*(\S+ = )?\(?https?:\/\/\S+\)?$/.test(line),
      ),
    ).toEqual([]);
    expect(output).not.toContain('\u200d');
    expect(output).toMatch(/commit [0-9a-f]{12}\b/);
    expect(output).not.toMatch(/all 1 thresholds/);
    // The regression shows what newly fails and the trend of the base branch.
    expect(output).toContain('Base branch (pass rate');
    // promptfoo: the suite regressed against main's passing verdict; the failing cases are new beside main.
    const promptfoo = output.slice(
      output.indexOf('━━ promptfoo:'),
      output.indexOf('━━ Braintrust:'),
    );
    expect(promptfoo).toContain('Check "promptfoo Gate": failure');
    expect(promptfoo).toContain('promptfoo: 2 of 4 rows of "support agent" passed');
    expect(promptfoo).toMatch(/Base [0-9a-f]{7} \(pass\)/);
    expect(promptfoo).toContain('Failing cases (2 of 4; 2 new)');
    expect(promptfoo).toMatch(/refund within 30 days\s+0 of 1\s+new: passed on [0-9a-f]{7}/);
    expect(promptfoo).toContain('baseline_decision = pass');
    // Braintrust: the experiment regressed against main's passing one, record by record.
    const braintrust = output.slice(
      output.indexOf('━━ Braintrust:'),
      output.indexOf('A repository of three agents'),
    );
    expect(braintrust).toContain('Check "Braintrust Gate": failure');
    expect(braintrust).toContain(
      'Braintrust: 7 of 10 rows of experiment "pr-1347" reached Factuality 1',
    );
    expect(braintrust).toMatch(/Base [0-9a-f]{7} \(pass\)/);
    expect(braintrust).toContain('Failing cases (3 of 10; 3 new)');
    // The repository of three agents: one check, the two entries the change reaches, failing first.
    const gates = output.slice(output.indexOf('A repository of three agents'));
    expect(gates).toContain('Check "Reliability gates": failure');
    expect(gates).toContain('2 of 3 gates ran, chosen by the 4 files pull request #2 changes.');
    expect(gates.indexOf('❌ billing-agent: fail')).toBeLessThan(
      gates.indexOf('✅ refunds-agent: pass'),
    );
    expect(gates).toMatch(/Not affected \(1; not evaluated, not counted as passing\)/);
    expect(gates).toContain('support-agent: agents/support/**, packages/shared/**');
    expect(gates).toContain('gates_run = 2');
  }, 180_000);
});

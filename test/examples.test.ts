import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTraceFile } from '../src/core/backends/sepurux/trace-file.js';
import { scratchDir } from './support/scratch.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const exampleFiles = async () => [
  ...(await readdir(join(root, 'examples/workflows'))).map((f) => `examples/workflows/${f}`),
  'examples/ci/.gitlab-ci.yml',
  'examples/ci/matrix.gitlab-ci.yml',
  'examples/ci/Jenkinsfile',
  'examples/ci/baseline.Jenkinsfile',
  'examples/ci/matrix.Jenkinsfile',
  'examples/ci/promptfoo.gitlab-ci.yml',
  'examples/ci/promptfoo.Jenkinsfile',
];

describe('the examples', () => {
  it("reference only files that exist, or that are marked as the user's own", async () => {
    for (const file of await exampleFiles()) {
      const text = await readFile(join(root, file), 'utf8');
      for (const [, path] of text.matchAll(
        /\b((?:examples|scripts)\/[\w./-]+\.(?:mjs|js|py|sh|json))\b/g,
      )) {
        expect(existsSync(join(root, path!)), `${file} names ${path}`).toBe(true);
      }
      // The step that records a trace is the user's: every example says so where it runs the stand-in.
      if (text.includes('record-trace.mjs')) expect(text, file).toMatch(/[Yy]our own step/);
    }
  });

  it('GitLab examples are YAML whose jobs run the gate, or that include its component', async () => {
    for (const file of [
      'examples/ci/.gitlab-ci.yml',
      'examples/ci/matrix.gitlab-ci.yml',
      'examples/ci/promptfoo.gitlab-ci.yml',
    ]) {
      const pipeline = parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
      const jobs = Object.values(pipeline).filter((job): job is { script: string[] } =>
        Array.isArray((job as { script?: unknown } | null)?.script),
      );
      const runs = jobs
        .flatMap((job) => job.script)
        .some((line) => line.includes('agent-reliability-gate#v1'));
      const includes = ((pipeline.include ?? []) as { component?: string }[]).some((include) =>
        /\/agent-reliability-gate\/gate@1$/.test(include.component ?? ''),
      );
      expect(runs || includes, file).toBe(true);
    }
  });

  it('the stand-in recorder writes a trace the gate uploads', async () => {
    const out = join(scratchDir('stand-in'), 'trace.json');
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(root, 'examples/record-trace.mjs'), '--output', out, '--agent', 'billing'],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    const trace = await readTraceFile(out);
    expect(JSON.parse(trace.bytes.toString('utf8'))).toMatchObject({
      name: 'refund_flow',
      agent: 'billing',
    });
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repositoryFilesNamed } from './support/workflow-rules.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const exampleFiles = async () => [
  ...(await readdir(join(root, 'examples/workflows'))).map((f) => `examples/workflows/${f}`),
  ...(await readdir(join(root, 'examples/ci'))).map((f) => `examples/ci/${f}`),
];

describe('the examples', () => {
  it('paste into another repository: they run no file of this repository, and say what replaces each stand-in', async () => {
    const files = await exampleFiles();
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const text = await readFile(join(root, file), 'utf8');
      // Comments may point at this repository's samples; what runs may not.
      const runs = text.replace(/^\s*(?:#|\/\/).*$/gm, '');
      expect(
        repositoryFilesNamed(runs),
        `${file} runs a file of this repository, which a repository it is pasted into does not have: write the stand-in inline`,
      ).toEqual([]);
      for (const [, path] of text.matchAll(
        /\b((?:examples|scripts)\/[\w./-]+\.(?:mjs|js|py|sh|json|ya?ml))\b/g,
      )) {
        expect(existsSync(join(root, path!)), `${file} names ${path}`).toBe(true);
      }
      // A stand-in that writes a trace is the user's step: the comment above it says what replaces it.
      if (/>\s*"?traces?[./]/.test(runs))
        expect(text, file).toMatch(/Stand-in \(.*\): replace it with your agent/);
    }
  });

  it('GitLab examples are YAML whose jobs run the gate, or that include its component', async () => {
    for (const file of [
      'examples/ci/.gitlab-ci.yml',
      'examples/ci/matrix.gitlab-ci.yml',
      'examples/ci/promptfoo.gitlab-ci.yml',
      'examples/ci/braintrust.gitlab-ci.yml',
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

  it('bound every GitLab job and Jenkins build with a timeout, so a stuck one never holds the merge request for long', async () => {
    const ci = (await exampleFiles()).filter((file) => file.startsWith('examples/ci/'));
    const gitlab = ci.filter((file) => file.endsWith('.yml'));
    const jenkins = ci.filter((file) => file.endsWith('Jenkinsfile'));
    expect(gitlab.length).toBeGreaterThanOrEqual(4);
    expect(jenkins.length).toBeGreaterThanOrEqual(4);
    for (const file of gitlab) {
      const pipeline = parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
      for (const [name, job] of Object.entries(pipeline).filter(
        ([name]) => !['include', 'stages', 'workflow', 'variables', 'default'].includes(name),
      ))
        expect(
          (job as { timeout?: unknown }).timeout,
          `${file}: job ${name} has no \`timeout:\` (add one above the gate's own, 10 minutes unless set)`,
        ).toMatch(/^\d+ minutes?$/);
    }
    for (const file of jenkins)
      expect(
        await readFile(join(root, file), 'utf8'),
        `${file}: the pipeline has no \`options { timeout(...) }\` (Jenkins has no default: a stuck build waits forever)`,
      ).toMatch(/^\s*options \{[^]*?\btimeout\(time: \d+, unit: 'MINUTES'\)/m);
  });
});

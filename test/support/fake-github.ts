import { createRequire } from 'node:module';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { OpenApiValidator } from './openapi.js';

let validator: OpenApiValidator | undefined;
/** GitHub's official REST description, loaded once per test worker. */
function githubDescription(): OpenApiValidator {
  validator ??= new OpenApiValidator(
    createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json'),
  );
  return validator;
}

export interface FakeUser {
  login: string;
  type: 'Bot' | 'User';
}

/** The author GitHub shows for comments made with `GITHUB_TOKEN`. */
export const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot' };

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string | null;
  details_url?: string;
  output?: { title?: string; summary?: string; text?: string };
  completed_at?: string;
  /** The GitHub App that created it (default: the token's). */
  app?: string;
}

export interface FakeComment {
  id: number;
  body: string;
  user: FakeUser;
  /** Hidden by a maintainer ("minimized"), with GitHub's reason. */
  minimized?: { reason: string };
}

export interface FakeGitHubOptions {
  token?: string;
  /** Who the token acts as; `GITHUB_TOKEN` acts as the Actions bot, which `GET /user` refuses. */
  actor?: FakeUser;
  /** The GitHub App whose installation token this is: its check runs name it, its comments are `<app>[bot]`'s. */
  app?: string;
  /** What the token may not do, as on fork pull requests and restricted tokens. */
  forbid?: { checks?: boolean; statuses?: boolean; comments?: boolean };
  /** Comments per page, whatever `per_page` asks. */
  pageSize?: number;
  /** Where the API is mounted: `/api/v3` on GitHub Enterprise Server. */
  pathPrefix?: string;
  /** Validate every request against GitHub's OpenAPI description (default); the benchmark turns it off to time the action, not the fake. */
  validate?: boolean;
}

export const FAKE_GITHUB_TOKEN = 'ghs_fakeGitHubToken000000000000000000';

const FORBIDDEN = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest',
};

/**
 * A stateful GitHub REST API for checks, statuses and issue comments. Every request is
 * validated against GitHub's official OpenAPI description and GitHub's documented size
 * limits; `violations` lists what did not pass.
 */
export class FakeGitHub {
  readonly token: string;
  readonly actor: FakeUser;
  readonly checkRuns: FakeCheckRun[] = [];
  readonly statuses: {
    sha: string;
    state: string;
    context: string;
    description?: string;
    target_url?: string;
  }[] = [];
  readonly comments = new Map<number, FakeComment[]>();
  readonly requests: { method: string; path: string; authorization: string | null }[] = [];
  /** Commits and their parents (first parent first), as `GET /repos/{o}/{r}/commits` lists them. */
  readonly commits = new Map<string, { parents: string[]; date: string }>();
  /** Pull requests by number, with their head commit (and base commit and branch, when seeded: else main). */
  readonly pullRequests = new Map<
    number,
    { headSha: string; closed?: { merged: boolean }; baseSha?: string; baseRef?: string }
  >();
  /** Each user's role on the repository, as `collaborators/{user}/permission` says it (none: not a collaborator, 404). */
  readonly roles = new Map<string, { role_name: string; permission: string }>();
  /** The files each pull request changes, as `pulls/{n}/files` lists them (GitHub lists 3,000 at most). */
  readonly pullFiles = new Map<number, { filename: string; previous_filename?: string }[]>();
  /** The files between two commits, as `compare/{base}...{head}` lists them (300 at most), keyed `base...head`. */
  readonly comparisons = new Map<string, string[]>();
  /** Reactions put on issue comments: comment id → contents, in order. */
  readonly reactions = new Map<number, string[]>();
  readonly violations: string[] = [];
  /** The output fields of each check-run write refused with 422 for its length. */
  readonly refusedOutputs: string[] = [];
  private nextId = 1000;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.token = options.token ?? FAKE_GITHUB_TOKEN;
    this.actor =
      options.actor ?? (options.app ? { login: `${options.app}[bot]`, type: 'Bot' } : ACTIONS_BOT);
  }

  /** Puts a comment on a pull request as if someone had written it before the gate ran. */
  seedComment(
    issue: number,
    body: string,
    user: FakeUser,
    minimized?: { reason: string },
  ): FakeComment {
    const comment = { id: this.nextId++, body, user, ...(minimized ? { minimized } : {}) };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment]);
    return comment;
  }

  /** Puts a check run on a commit as if another workflow (or another app, with `app`) had completed it. */
  seedCheckRun(run: Omit<FakeCheckRun, 'id'>): FakeCheckRun {
    const created = { id: this.nextId++, ...run };
    this.checkRuns.push(created);
    return created;
  }

  /** Adds a commit with its parents (the first is the branch's own line; a second is a merged branch's). */
  seedCommit(sha: string, parents: string[], date = new Date().toISOString()): void {
    this.commits.set(sha, { parents, date });
  }

  /** Adds a branch's line, newest first, each commit the child of the next and a day younger. */
  seedLine(shas: readonly string[], newest = new Date(Date.UTC(2026, 10, 20))): void {
    shas.forEach((sha, i) => {
      const next = shas[i + 1];
      this.seedCommit(
        sha,
        next ? [next] : [],
        new Date(newest.getTime() - i * 86_400_000).toISOString(),
      );
    });
  }

  /**
   * Gives `login` a role on the repository. `permission` is what GitHub's older field says of
   * it: `maintain` reads as `write` there, `triage` as `read`; a custom role says its base.
   */
  seedRole(login: string, role_name: string, permission?: string): void {
    const base = { maintain: 'write', triage: 'read' }[role_name] ?? role_name;
    this.roles.set(login, { role_name, permission: permission ?? base });
  }

  /**
   * Opens pull request `number` with `headSha` as its head commit (or, with `closed`, closes or
   * merges it), onto `baseSha` (default `f` × 40) of branch `baseRef` (default `main`).
   */
  seedPullRequest(
    number: number,
    headSha: string,
    closed?: { merged: boolean },
    baseSha?: string,
    baseRef?: string,
  ): void {
    this.pullRequests.set(number, {
      headSha,
      ...(closed ? { closed } : {}),
      ...(baseSha ? { baseSha } : {}),
      ...(baseRef ? { baseRef } : {}),
    });
  }

  /** The files pull request `number` changes (a rename names the file it was too). */
  seedPullFiles(
    number: number,
    files: readonly (string | { filename: string; previous_filename: string })[],
  ): void {
    this.pullFiles.set(
      number,
      files.map((file) => (typeof file === 'string' ? { filename: file } : file)),
    );
  }

  handlers(): RequestHandler[] {
    return [
      http.all('*', async ({ request }) => {
        const url = new URL(request.url);
        const prefix = this.options.pathPrefix ?? '';
        if (!url.pathname.startsWith(`${prefix}/`))
          return HttpResponse.json({ message: `not under ${prefix}/` }, { status: 404 });
        const body =
          request.method === 'GET'
            ? undefined
            : await request
                .clone()
                .json()
                .catch(() => undefined);
        const path = url.pathname.slice(prefix.length);
        this.requests.push({
          method: request.method,
          path: path + url.search,
          authorization: request.headers.get('authorization'),
        });
        if (this.options.validate !== false)
          this.violations.push(
            ...githubDescription().validate(request.method, path, url.searchParams, body),
          );
        if (request.headers.get('authorization') !== `token ${this.token}`) {
          return HttpResponse.json({ message: 'Bad credentials' }, { status: 401 });
        }
        return this.route(request.method, path, url, body as Record<string, unknown> | undefined);
      }),
    ];
  }

  private route(
    method: string,
    path: string,
    url: URL,
    body: Record<string, unknown> | undefined,
  ): Response {
    const forbid = this.options.forbid ?? {};
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/user') {
      // Installation tokens (GITHUB_TOKEN, a GitHub App's) may not read /user.
      return this.actor.type === 'Bot'
        ? HttpResponse.json(FORBIDDEN, { status: 403 })
        : HttpResponse.json({ login: this.actor.login, id: 1, type: this.actor.type });
    }
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/commits$/.test(path)) {
      // Every ancestor of `sha`, newest first, as GitHub lists them: the first-parent line and what was merged into it.
      const listed: string[] = [];
      const queue = [url.searchParams.get('sha') ?? ''];
      while (queue.length > 0) {
        const sha = queue.shift()!;
        if (listed.includes(sha) || !this.commits.has(sha)) continue;
        listed.push(sha);
        queue.push(...this.commits.get(sha)!.parents);
      }
      if (listed.length === 0)
        return HttpResponse.json({ message: 'No commit found for SHA' }, { status: 404 });
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      return HttpResponse.json(
        listed.slice((page - 1) * perPage, page * perPage).map((sha) => ({
          sha,
          commit: { author: { date: this.commits.get(sha)!.date } },
          parents: this.commits.get(sha)!.parents.map((parent) => ({ sha: parent })),
        })),
      );
    }
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)$/.exec(path))) {
      // One commit with its parents; one GitHub was never pushed (a CI's own merge commit) is a 422, as GitHub answers.
      const commit = this.commits.get(m[1]!);
      if (!commit)
        return HttpResponse.json(
          {
            message: `No commit found for SHA: ${m[1]}`,
            documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
            status: '422',
          },
          { status: 422 },
        );
      return HttpResponse.json({
        sha: m[1],
        commit: { author: { date: commit.date } },
        parents: commit.parents.map((parent) => ({ sha: parent })),
      });
    }
    if (
      method === 'GET' &&
      (m = /^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/.exec(path))
    ) {
      const login = decodeURIComponent(m[1]!);
      const role = this.roles.get(login);
      if (!role) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      return HttpResponse.json({
        ...role,
        user: { login, id: 1, type: 'User' },
      });
    }
    if (
      method === 'POST' &&
      (m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/.exec(path))
    ) {
      if (forbid.comments) return HttpResponse.json(FORBIDDEN, { status: 403 });
      const id = Number(m[1]);
      this.reactions.set(id, [...(this.reactions.get(id) ?? []), String(body?.content)]);
      return HttpResponse.json(
        { id: this.nextId++, content: body?.content, user: { login: this.actor.login } },
        { status: 201 },
      );
    }
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/.exec(path))) {
      const files = this.pullFiles.get(Number(m[1]));
      if (!files) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      // GitHub lists at most 3,000 files of a pull request, 100 a page at most.
      return this.paged(url, files.slice(0, 3000), (file, index) => ({
        sha: index.toString(16).padStart(40, '0'),
        filename: file.filename,
        status: file.previous_filename ? 'renamed' : 'modified',
        additions: 1,
        deletions: 0,
        changes: 1,
        blob_url: `https://github.com/blob/${file.filename}`,
        raw_url: `https://github.com/raw/${file.filename}`,
        contents_url: `https://api.github.com/contents/${file.filename}`,
        ...(file.previous_filename ? { previous_filename: file.previous_filename } : {}),
      }));
    }
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/compare\/([^/]+)$/.exec(path))) {
      const files = this.comparisons.get(decodeURIComponent(m[1]!));
      if (!files) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      return HttpResponse.json({
        status: 'ahead',
        ahead_by: 1,
        behind_by: 0,
        total_commits: 1,
        commits: [],
        // GitHub's comparison lists 300 files at most.
        files: files.slice(0, 300).map((filename, index) => ({
          sha: index.toString(16).padStart(40, '0'),
          filename,
          status: 'modified',
          additions: 1,
          deletions: 0,
          changes: 1,
          blob_url: `https://github.com/blob/${filename}`,
          raw_url: `https://github.com/raw/${filename}`,
          contents_url: `https://api.github.com/contents/${filename}`,
        })),
      });
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/.exec(path))) {
      const pull = this.pullRequests.get(Number(m[2]));
      if (!pull) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      return HttpResponse.json({
        number: Number(m[2]),
        state: pull.closed ? 'closed' : 'open',
        merged: pull.closed?.merged ?? false,
        head: { sha: pull.headSha, ref: 'feature' },
        base: {
          sha: pull.baseSha ?? 'f'.repeat(40),
          ref: pull.baseRef ?? 'main',
          repo: { full_name: m[1] },
        },
      });
    }
    if (
      method === 'GET' &&
      (m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/check-runs$/.exec(path))
    ) {
      const name = url.searchParams.get('check_name');
      const runs = this.checkRuns.filter((r) => r.head_sha === m![1] && (!name || r.name === name));
      return HttpResponse.json({
        total_count: runs.length,
        check_runs: runs.map((r) => this.checkView(r)),
      });
    }
    if (method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
      if (forbid.checks) return HttpResponse.json(FORBIDDEN, { status: 403 });
      const refused = this.outputTooLong(body);
      if (refused) return refused;
      const run = { id: this.nextId++, ...(body as Omit<FakeCheckRun, 'id'>) };
      this.checkRuns.push(run);
      return HttpResponse.json(this.checkView(run), { status: 201 });
    }
    if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      const refused = this.outputTooLong(body);
      if (refused) return refused;
      Object.assign(run, body);
      return HttpResponse.json(this.checkView(run));
    }
    if (method === 'POST' && (m = /^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]+)$/.exec(path))) {
      if (forbid.statuses) return HttpResponse.json(FORBIDDEN, { status: 403 });
      this.limit('status description', body?.description as string | undefined, 140);
      this.statuses.push({ sha: m[1]!, ...(body as { state: string; context: string }) });
      return HttpResponse.json(
        { id: this.nextId++, state: body?.state, context: body?.context },
        { status: 201 },
      );
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path))) {
      const issue = Number(m[1]);
      const all = this.comments.get(issue) ?? [];
      if (method === 'GET') return this.page(url, all);
      if (method === 'POST') {
        if (forbid.comments) return HttpResponse.json(FORBIDDEN, { status: 403 });
        this.limit('comment body', body?.body as string | undefined, 65_536);
        const comment = this.seedComment(issue, String(body?.body), this.actor);
        return HttpResponse.json(this.commentView(comment), { status: 201 });
      }
    }
    if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path))) {
      if (forbid.comments) return HttpResponse.json(FORBIDDEN, { status: 403 });
      const comment = [...this.comments.values()].flat().find((c) => c.id === Number(m![1]));
      if (!comment) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      if (comment.user.login !== this.actor.login)
        return HttpResponse.json(FORBIDDEN, { status: 403 });
      this.limit('comment body', body?.body as string | undefined, 65_536);
      comment.body = String(body?.body);
      return HttpResponse.json(this.commentView(comment));
    }
    return HttpResponse.json(
      { message: `fake GitHub has no route for ${method} ${path}` },
      { status: 404 },
    );
  }

  /** A list page as GitHub serves it: `per_page` (at most 100) from `page`, a `Link` to the next. */
  private paged<T>(
    url: URL,
    all: readonly T[],
    view: (item: T, index: number) => unknown,
  ): Response {
    const size = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const headers: Record<string, string> = {};
    if (page * size < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.href}>; rel="next"`;
    }
    return HttpResponse.json(
      all.slice((page - 1) * size, page * size).map((item, i) => view(item, (page - 1) * size + i)),
      { headers },
    );
  }

  private page(url: URL, all: FakeComment[]): Response {
    const size = Math.min(
      this.options.pageSize ?? 100,
      Number(url.searchParams.get('per_page') ?? 30),
    );
    const page = Number(url.searchParams.get('page') ?? 1);
    const items = all.slice((page - 1) * size, page * size);
    const headers: Record<string, string> = {};
    if (page * size < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.href}>; rel="next"`;
    }
    return HttpResponse.json(
      items.map((c) => this.commentView(c)),
      { headers },
    );
  }

  /**
   * GitHub refuses a check run whose output is over its limits (title 255 characters, summary and
   * text 65,535 each) with 422, and changes nothing; each is also a violation (the gate must not send it).
   */
  private outputTooLong(body: Record<string, unknown> | undefined): Response | undefined {
    const output = (body?.output ?? {}) as { title?: unknown; summary?: unknown; text?: unknown };
    for (const [field, max] of [
      ['title', 255],
      ['summary', 65_535],
      ['text', 65_535],
    ] as const) {
      const value = output[field];
      if (typeof value !== 'string' || value.length <= max) continue;
      this.limit(`check run output.${field}`, value, max);
      this.refusedOutputs.push(field);
      return HttpResponse.json(
        {
          message: `Invalid request.\n\nOnly ${max} characters are allowed; ${value.length} were supplied.`,
          documentation_url: 'https://docs.github.com/rest/checks/runs',
          status: '422',
        },
        { status: 422 },
      );
    }
    return undefined;
  }

  private limit(what: string, value: string | undefined, max: number): void {
    if (value !== undefined && value.length > max)
      this.violations.push(`${what} is ${value.length} characters, over GitHub's ${max}`);
  }

  private checkView(run: FakeCheckRun) {
    return {
      ...run,
      html_url: `https://github.com/checks/${run.id}`,
      app: { slug: run.app ?? this.options.app ?? 'github-actions' },
    };
  }

  private commentView(comment: FakeComment) {
    return {
      id: comment.id,
      body: comment.body,
      user: { login: comment.user.login, type: comment.user.type },
      html_url: `https://github.com/c/${comment.id}`,
      minimized: comment.minimized ?? null,
    };
  }
}

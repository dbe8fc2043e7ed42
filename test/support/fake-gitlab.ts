import { http, HttpResponse, type RequestHandler } from 'msw';

/** A GitLab user as the API shows it. */
export interface FakeGitLabUser {
  id: number;
  username: string;
}

export interface FakeNote {
  id: number;
  body: string;
  author: FakeGitLabUser;
  system: boolean;
  created_at: string;
  updated_at: string;
}

/** What a token is, as GitLab knows it: whose, and with which scopes (`api` writes; `read_api` only reads). */
export interface FakeGitLabToken {
  user: FakeGitLabUser;
  scopes: ('api' | 'read_api' | 'read_user')[];
}

export interface FakeGitLabOptions {
  projectId?: number;
  mergeRequestIid?: number;
}

export const FAKE_GITLAB_TOKEN = 'glpat-fakeGitLabToken0000000';
export const FAKE_GITLAB_READ_TOKEN = 'glpat-fakeReadOnlyToken000000';
export const GATE_BOT: FakeGitLabUser = { id: 77, username: 'project_12_bot_a1b2' };
export const REVIEWER: FakeGitLabUser = { id: 5, username: 'reviewer' };

/** GitLab's limit on a note's body. */
const NOTE_MAX_CHARS = 1_000_000;
const INSUFFICIENT_SCOPE = {
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the access token.',
  scope: 'api',
};

/**
 * GitLab's REST API v4 for merge-request notes, as GitLab documents it: `PRIVATE-TOKEN` or
 * bearer authentication, scopes, pagination headers (`X-Next-Page`, `Link`), sorting, 401, 403,
 * 404 and the note size limit. Mounted under `/api/v4`.
 */
export class FakeGitLab {
  readonly projectId: number;
  readonly mergeRequestIid: number;
  readonly tokens = new Map<string, FakeGitLabToken>([
    [FAKE_GITLAB_TOKEN, { user: GATE_BOT, scopes: ['api'] }],
    [FAKE_GITLAB_READ_TOKEN, { user: GATE_BOT, scopes: ['read_api'] }],
  ]);
  readonly notes: FakeNote[] = [];
  /** Job artifacts by `ref/path?job=name`, as `GET /projects/:id/jobs/artifacts/:ref/raw/:path?job=` serves them. */
  readonly artifacts = new Map<string, string>();
  /** The `CI_JOB_TOKEN` of the pipeline's jobs: it may read artifacts, nothing else here. */
  jobToken = 'fake-ci-job-token';
  readonly requests: { method: string; path: string; token: string | null }[] = [];
  readonly violations: string[] = [];
  /** Pipelines, newest last, each with its jobs and the files their artifacts hold. */
  readonly pipelines: {
    id: number;
    ref: string;
    sha: string;
    jobs: { id: number; name: string; status: string; artifacts: Record<string, string> }[];
  }[] = [];
  /** Statuses to answer the next requests with, in order (e.g. a 500 for a failing GitLab). */
  readonly failures: number[] = [];
  /**
   * Where artifacts are kept, when not in GitLab itself: the origin of a server started with
   * {@link objectStorageHandlers}. Set, an artifact download answers `302 Found` to a signed URL
   * there, as GitLab does with object storage (S3, GCS) and `proxy_download` off.
   */
  objectStorage?: string;
  /** Every request object storage received, with its headers, for leak checks. */
  readonly storageRequests: { method: string; path: string; headers: Record<string, string> }[] =
    [];
  private readonly signed = new Map<string, string>();
  private nextId = 9000;
  private clock = Date.parse('2026-11-01T00:00:00Z');

  constructor(options: FakeGitLabOptions = {}) {
    this.projectId = options.projectId ?? 12;
    this.mergeRequestIid = options.mergeRequestIid ?? 42;
  }

  /** GitLab CI's variables for a merge-request pipeline of this project. */
  ciVariables(origin: string): Record<string, string> {
    return {
      CI_API_V4_URL: `${origin}/api/v4`,
      CI_PROJECT_ID: String(this.projectId),
      CI_MERGE_REQUEST_IID: String(this.mergeRequestIid),
      CI_JOB_URL: 'https://gitlab.example.com/acme/agents/-/jobs/5005',
    };
  }

  /** A note written before the gate ran (by someone else, or by GitLab itself with `system`). */
  seedNote(body: string, author: FakeGitLabUser, system = false): FakeNote {
    const at = this.tick();
    const note = { id: this.nextId++, body, author, system, created_at: at, updated_at: at };
    this.notes.push(note);
    return note;
  }

  /** A finished pipeline on `ref` at `sha`, with one job per entry of `jobs` (name → its artifacts' files). */
  seedPipeline(ref: string, sha: string, jobs: Record<string, Record<string, string>>): void {
    this.pipelines.push({
      id: this.nextId++,
      ref,
      sha,
      jobs: Object.entries(jobs).map(([name, artifacts]) => ({
        id: this.nextId++,
        name,
        status: 'success',
        artifacts,
      })),
    });
  }

  /** The notes the gate's own user wrote. */
  notesBy(user: FakeGitLabUser = GATE_BOT): FakeNote[] {
    return this.notes.filter((note) => note.author.id === user.id && !note.system);
  }

  handlers(): RequestHandler[] {
    return [
      http.all('*', async ({ request }) => {
        const url = new URL(request.url);
        if (!url.pathname.startsWith('/api/v4/'))
          return HttpResponse.json({ message: '404 Not Found' }, { status: 404 });
        const path = url.pathname.slice('/api/v4'.length);
        const token =
          request.headers.get('private-token') ??
          request.headers.get('authorization')?.replace(/^Bearer /, '') ??
          null;
        this.requests.push({ method: request.method, path: path + url.search, token });
        const failure = this.failures.shift();
        if (failure)
          return HttpResponse.json(
            { message: `${failure} Internal Server Error` },
            { status: failure },
          );
        const artifact = /^\/projects\/([^/]+)\/jobs\/artifacts\/([^/]+)\/raw\/(.+)$/.exec(path);
        if (
          artifact &&
          request.method === 'GET' &&
          request.headers.get('job-token') === this.jobToken
        ) {
          if (decodeURIComponent(artifact[1]!) !== String(this.projectId))
            return HttpResponse.json({ message: '404 Project Not Found' }, { status: 404 });
          const file = this.artifacts.get(
            `${decodeURIComponent(artifact[2]!)}/${artifact[3]}?job=${url.searchParams.get('job') ?? ''}`,
          );
          return file === undefined
            ? HttpResponse.json({ message: '404 Not found' }, { status: 404 })
            : this.download(file);
        }
        const known = token ? this.tokens.get(token) : undefined;
        if (!known) return HttpResponse.json({ message: '401 Unauthorized' }, { status: 401 });
        const body = ['POST', 'PUT'].includes(request.method)
          ? ((await request.json().catch(() => undefined)) as Record<string, unknown> | undefined)
          : undefined;
        return this.route(request.method, path, url, body, known);
      }),
    ];
  }

  private route(
    method: string,
    path: string,
    url: URL,
    body: Record<string, unknown> | undefined,
    token: FakeGitLabToken,
  ): Response {
    const reads = token.scopes.some((scope) => scope === 'api' || scope === 'read_api');
    if (method === 'GET' && path === '/user') {
      if (!reads && !token.scopes.includes('read_user'))
        return HttpResponse.json(INSUFFICIENT_SCOPE, { status: 403 });
      return HttpResponse.json({
        ...token.user,
        name: token.user.username,
        state: 'active',
        bot: token.user.username.includes('_bot'),
      });
    }
    const project = /^\/projects\/([^/]+)\//.exec(path);
    if (project && !reads) return HttpResponse.json(INSUFFICIENT_SCOPE, { status: 403 });
    if (project && decodeURIComponent(project[1]!) !== String(this.projectId))
      return HttpResponse.json({ message: '404 Project Not Found' }, { status: 404 });
    let p: RegExpExecArray | null;
    if (method === 'GET' && /^\/projects\/[^/]+\/pipelines$/.test(path)) {
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 20));
      const listed = this.pipelines
        .filter(
          (pipeline) =>
            !url.searchParams.get('ref') || pipeline.ref === url.searchParams.get('ref'),
        )
        .sort((a, b) => b.id - a.id);
      return HttpResponse.json(
        listed.slice(0, perPage).map(({ id, ref, sha }) => ({ id, ref, sha, status: 'success' })),
      );
    }
    if (method === 'GET' && (p = /^\/projects\/[^/]+\/pipelines\/(\d+)\/jobs$/.exec(path))) {
      const pipeline = this.pipelines.find((candidate) => candidate.id === Number(p![1]));
      if (!pipeline) return HttpResponse.json({ message: '404 Not found' }, { status: 404 });
      return HttpResponse.json(pipeline.jobs.map(({ id, name, status }) => ({ id, name, status })));
    }
    if (method === 'GET' && (p = /^\/projects\/[^/]+\/jobs\/(\d+)\/artifacts\/(.+)$/.exec(path))) {
      const job = this.pipelines
        .flatMap((pipeline) => pipeline.jobs)
        .find((candidate) => candidate.id === Number(p![1]));
      const file = job?.artifacts[decodeURIComponent(p[2]!)];
      return file === undefined
        ? HttpResponse.json({ message: '404 Not Found' }, { status: 404 })
        : this.download(file);
    }
    const m = /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(path);
    if (!m) return HttpResponse.json({ message: '404 Not Found' }, { status: 404 });
    if (!reads) return HttpResponse.json(INSUFFICIENT_SCOPE, { status: 403 });
    if (decodeURIComponent(m[1]!) !== String(this.projectId))
      return HttpResponse.json({ message: '404 Project Not Found' }, { status: 404 });
    if (Number(m[2]) !== this.mergeRequestIid)
      return HttpResponse.json({ message: '404 Merge Request Not Found' }, { status: 404 });
    const noteId = m[3] ? Number(m[3]) : undefined;
    if (method === 'GET' && noteId === undefined) return this.page(url);
    if (method !== 'GET' && !token.scopes.includes('api'))
      return HttpResponse.json(INSUFFICIENT_SCOPE, { status: 403 });
    const text = body?.body;
    if ((method === 'POST' || method === 'PUT') && typeof text !== 'string')
      return HttpResponse.json({ error: 'body is missing' }, { status: 400 });
    if (typeof text === 'string' && text.length > NOTE_MAX_CHARS) {
      this.violations.push(
        `note body is ${text.length} characters, over GitLab's ${NOTE_MAX_CHARS}`,
      );
      return HttpResponse.json(
        { message: { note: [`is too long (maximum is ${NOTE_MAX_CHARS} characters)`] } },
        { status: 400 },
      );
    }
    if (method === 'POST' && noteId === undefined) {
      const note = this.seedNote(String(text), token.user);
      return HttpResponse.json(note, { status: 201 });
    }
    if (method === 'PUT' && noteId !== undefined) {
      const note = this.notes.find((n) => n.id === noteId);
      if (!note) return HttpResponse.json({ message: '404 Note Not Found' }, { status: 404 });
      if (note.author.id !== token.user.id)
        return HttpResponse.json({ message: '403 Forbidden' }, { status: 403 });
      note.body = String(text);
      note.updated_at = this.tick();
      return HttpResponse.json(note);
    }
    return HttpResponse.json({ error: '405 Method Not Allowed' }, { status: 405 });
  }

  /**
   * Object storage, served on an origin of its own: a signed URL the artifact download redirected
   * to gives the file, whatever else the request carries; anything else is `403`, as S3 answers.
   */
  objectStorageHandlers(): RequestHandler[] {
    return [
      http.all('*', ({ request }) => {
        const url = new URL(request.url);
        const headers: Record<string, string> = {};
        request.headers.forEach((value, name) => (headers[name] = value));
        this.storageRequests.push({
          method: request.method,
          path: url.pathname + url.search,
          headers,
        });
        const file = this.signed.get(url.searchParams.get('X-Amz-Signature') ?? '');
        if (request.method !== 'GET' || file === undefined)
          return new HttpResponse('<Error><Code>AccessDenied</Code></Error>', {
            status: 403,
            headers: { 'content-type': 'application/xml' },
          });
        return new HttpResponse(file, { headers: { 'content-type': 'application/octet-stream' } });
      }),
    ];
  }

  /** An artifact's file: from GitLab itself, or a redirect to a signed URL in object storage. */
  private download(file: string): Response {
    if (!this.objectStorage)
      return new HttpResponse(file, { headers: { 'content-type': 'application/octet-stream' } });
    const signature = `sig${this.nextId++}`;
    this.signed.set(signature, file);
    const location = `${this.objectStorage}/gitlab-artifacts/${signature}/artifact?X-Amz-Expires=60&X-Amz-Signature=${signature}`;
    return new HttpResponse('<html><body>You are being <a href="">redirected</a>.</body></html>', {
      status: 302,
      headers: { location, 'content-type': 'text/html' },
    });
  }

  /** One page of notes, sorted as asked, with GitLab's pagination headers. */
  private page(url: URL): Response {
    const key = url.searchParams.get('order_by') === 'updated_at' ? 'updated_at' : 'created_at';
    const desc = url.searchParams.get('sort') !== 'asc';
    const sorted = [...this.notes].sort(
      (a, b) => (desc ? -1 : 1) * (a[key].localeCompare(b[key]) || a.id - b.id),
    );
    // GitLab gives what `per_page` asks, 20 by default, at most 100.
    const size = Math.max(1, Math.min(100, Number(url.searchParams.get('per_page') ?? 20)));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const pages = Math.max(1, Math.ceil(sorted.length / size));
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(size),
      'x-total': String(sorted.length),
      'x-total-pages': String(pages),
      'x-next-page': page < pages ? String(page + 1) : '',
    };
    if (page < pages) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.href}>; rel="next"`;
    }
    return HttpResponse.json(sorted.slice((page - 1) * size, page * size), { headers });
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}

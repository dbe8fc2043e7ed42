import { http, HttpResponse, type RequestHandler } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  experimentOf,
  FAKE_BRAINTRUST_TOKEN,
  FakeBraintrust,
  type FakeBraintrustOptions,
  ORG_ID,
  rowsOf,
} from '../support/fake-braintrust.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../support/fake-github.js';
import { pullRequestPayload } from '../support/pull-request.js';
import { ENGINES, mentions, render } from '../support/render.js';
import { runAction } from '../support/runner.js';
import { type ServedHandlers, serveHandlers } from '../support/serve.js';

// Names a Braintrust server (or an eval's own scorers) chooses: the score's, the experiment's,
// the project's, shown in the comment, the check, the log and the outputs.
let braintrust = new FakeBraintrust();
/** Handlers ahead of the fake's: a hostile answer the fake would not give. */
let before: RequestHandler[] = [];
let github = new FakeGitHub();
let backend: ServedHandlers;
let api: ServedHandlers;
beforeAll(async () => {
  backend = await serveHandlers(() => [...before, ...braintrust.handlers()]);
  api = await serveHandlers(() => github.handlers());
});
afterAll(async () => {
  await backend.close();
  await api.close();
});

const HOSTILE =
  'x` @octocat` <!-- x <img src=x onerror=alert(1)> |a|b| ](https://evil.example)\n::set-output name=decision::pass\n::add-mask::zz';
const PROJECT = '7a1c3e5b-9d2f-4b6a-8c0e-4f6a8c0e2b4d';

async function gate(
  inputs: Record<string, string>,
  options: FakeBraintrustOptions,
  hostile: RequestHandler[] = [],
) {
  before = hostile;
  braintrust = new FakeBraintrust(options);
  github = new FakeGitHub();
  const payload = pullRequestPayload();
  const run = await runAction({
    inputs: {
      backend: 'braintrust',
      base_url: backend.origin,
      token: FAKE_BRAINTRUST_TOKEN,
      github_token: FAKE_GITHUB_TOKEN,
      ...inputs,
    },
    eventName: 'pull_request',
    payload,
    env: { GITHUB_API_URL: api.origin },
  });
  const body = github.comments.get(payload.pull_request.number)?.at(-1)?.body ?? '';
  return { run, body, check: github.checkRuns[0] };
}

describe('hostile names from Braintrust', () => {
  it('a score, an experiment and a project named to inject: shown inert, the verdict kept', async () => {
    const list = rowsOf(4, 2).map((row) => ({
      ...row,
      score: undefined,
      scores: { [HOSTILE]: row.score ?? 0 },
    }));
    const experiment = experimentOf(list, { name: HOSTILE, projectId: PROJECT });
    const { run, body, check } = await gate(
      { experiment_id: experiment.id, min_pass_rate: '0.9' },
      { experiments: [experiment], projects: [{ id: PROJECT, name: HOSTILE, orgId: ORG_ID }] },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(check?.conclusion).toBe('failure');
    for (const markdown of [body, check?.output?.summary ?? ''])
      for (const engine of ENGINES) {
        const shown = render(markdown, engine);
        // GitHub finds no @mention in inline code.
        const text = shown.html.replace(/<code>[\s\S]*?<\/code>/g, '').replace(/<[^>]*>/g, '');
        expect(mentions({ ...shown, text }), text).toEqual([]);
        expect([...shown.elements].filter((e) => ['img', 'script'].includes(e))).toEqual([]);
        expect(
          shown.links.filter((l) => !/^https:\/\/(www\.braintrust\.dev|github\.com)\//.test(l)),
        ).toEqual([]);
      }
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(run.stdout).not.toMatch(/^::(set-output|add-mask::zz)/m);
    expect(run.outputs.score_name).toBeDefined();
    expect(Object.keys(run.outputs)).not.toContain('::set-output name');
  });
});

describe('a hostile page of rows', () => {
  it('an input nested past the stack: fails closed, the check concluded', async () => {
    const depth = 100_000;
    const experiment = experimentOf(rowsOf(2));
    const row = (i: number, input: string) =>
      `{"id":"row-${i}","_xact_id":"100${i}","experiment_id":"${experiment.id}","span_id":"s${i}","root_span_id":"s${i}","span_parents":[],"is_root":true,"input":${input},"error":null,"scores":{"Factuality":1}}`;
    const page = `{"events":[${row(1, '"a"')},${row(2, '['.repeat(depth) + ']'.repeat(depth))}],"cursor":null}`;
    const { run, check } = await gate(
      { project_name: 'support-agent', experiment_name: experiment.name, min_pass_rate: '0.9' },
      { experiments: [experiment] },
      [
        http.post(
          '*/v1/experiment/:id/fetch',
          () => new HttpResponse(page, { headers: { 'Content-Type': 'application/json' } }),
        ),
      ],
    );
    expect(run.outputs.decision).toBe('fail');
    expect(run.exitCode).toBe(1);
    expect(check?.status).toBe('completed');
    expect(check?.conclusion).toBe('failure');
    expect(run.outputs.reason).toContain(
      'row "row-2" holds an `input` or `error` nested too deeply',
    );
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { runAction } from '../test/support/runner.js';
import { scratchDir } from '../test/support/scratch.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { median, quick, record, seconds } from './common.js';

/** A workspace whose `.github/reliability-gates.yml` lists `count` entries, each under `agents/<n>/`. */
function gatesWorkspace(count: number, campaign: (i: number) => string): string {
  const dir = scratchDir('bench-gates');
  const entries = Array.from(
    { length: count },
    (_, i) =>
      `  - name: agent-${i}\n    paths: [agents/${i}/**]\n    trace_id: trace-1\n    campaign_name: ${campaign(i)}\n`,
  );
  return writeWorkspace(dir, `gates:\n${entries.join('')}`);
}

function writeWorkspace(dir: string, config: string): string {
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github/reliability-gates.yml'), config);
  return dir;
}

/**
 * Many gates in one step (`config`): a change that reaches one of 20 entries starts exactly one
 * evaluation and costs GitHub no more than a single gate and the changed files' pages; 20
 * entries all reached, each run taking 2 s, take about one run's time; 50 entries make a comment
 * within GitHub's limit that reads failing entries first.
 */
export async function manyGates() {
  const fake = new FakeSepurux();
  const github = new FakeGitHub({ validate: false });
  const [backend, api] = await Promise.all([
    serveHandlers(() => fake.handlers()),
    serveHandlers(() => github.handlers()),
  ]);
  const payload = webhookExample('pull_request', 'opened') as {
    pull_request: { number: number };
  };
  const number = payload.pull_request.number;
  const inputs = {
    base_url: `${backend.origin}/api`,
    token: FAKE_TOKEN,
    project_id: FAKE_PROJECT_ID,
    trace_id: 'trace-1',
  };
  const gate = async (extra: Record<string, string>, cwd?: string) => {
    const before = { github: github.requests.length, backend: fake.requests.length };
    const run = await runAction({
      inputs: { ...inputs, ...extra },
      eventName: 'pull_request',
      payload,
      github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
      env: { GITHUB_RUN_ID: String(30_000 + Math.floor(Math.random() * 1e6)) },
      ...(cwd ? { cwd } : {}),
    });
    const runs = fake.requests
      .slice(before.backend)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/v1/ci/runs')).length;
    return { run, runs, github: github.requests.length - before.github };
  };
  try {
    // 240 changed files (3 pages), one of them under agent-7's paths.
    const files = [
      ...Array.from({ length: 239 }, (_, i) => `docs/page-${i}.md`),
      'agents/7/prompt.md',
    ];
    github.seedPullFiles(number, files);
    const pages = Math.ceil(files.length / 100);
    const single = await gate({ campaign_name: 'refund-reliability' });
    github.comments.clear();
    const targeted = await gate(
      { config: '.github/reliability-gates.yml' },
      gatesWorkspace(20, () => 'refund-reliability'),
    );
    if (targeted.run.outputs.gates_run !== '1')
      throw new Error(`expected one gate to run: ${targeted.run.outputs.reason}`);
    record({
      measure: 'config: 20 entries, a change reaching 1 — backend evaluations',
      value: String(targeted.runs),
      target: 'exactly 1',
      met: targeted.runs === 1,
    });
    record({
      measure: 'config: 20 entries, a change reaching 1 — GitHub requests',
      value: `${targeted.github} (a single gate: ${single.github}; changed files: ${pages} pages)`,
      target: '≤ single gate + pages',
      met: targeted.github <= single.github + pages,
    });

    // Every entry reached, each run taking 2 s.
    github.comments.clear();
    fake.campaign('refund-reliability').finishAfterMs = 2_000;
    github.seedPullFiles(number, ['.github/reliability-gates.yml']);
    const times = { one: [] as number[], twenty: [] as number[] };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      times.one.push((await gate({ campaign_name: 'refund-reliability' })).run.durationMs);
      const all = await gate(
        { config: '.github/reliability-gates.yml' },
        gatesWorkspace(20, () => 'refund-reliability'),
      );
      if (all.run.outputs.gates_run !== '20') throw new Error('expected every gate to run');
      times.twenty.push(all.run.durationMs);
    }
    const ratio = median(times.twenty) / median(times.one);
    record({
      measure: 'config: 20 entries all reached vs one gate (runs take 2 s)',
      value: `${seconds(median(times.twenty))} vs ${seconds(median(times.one))} = ${ratio.toFixed(2)}×`,
      target: '≤ 1.3×',
      met: ratio <= 1.3,
    });

    // 50 entries, every third failing: the comment's size and order.
    fake.campaign('refund-reliability').finishAfterMs = 0;
    github.comments.clear();
    const fifty = await gate(
      { config: '.github/reliability-gates.yml' },
      gatesWorkspace(50, (i) => (i % 3 === 2 ? 'checkout-regression' : 'refund-reliability')),
    );
    const comment = github.comments.get(number)?.[0]?.body ?? '';
    const firstRow = /^\| (✅|❌|⚠️) \| `(agent-\d+)`/m.exec(comment);
    const firstSection = /^### (✅|❌|⚠️) (agent\\?-\d+)/m.exec(comment);
    const failingFirst = firstRow?.[1] === '❌' && firstSection?.[1] === '❌';
    record({
      measure: 'config: 50 entries, the sticky comment',
      value: `${comment.length.toLocaleString('en-US')} characters; first row ${firstRow?.[2] ?? 'none'} ${firstRow?.[1] ?? ''}, ${fifty.run.outputs.gates_run} ran`,
      target: '≤ 65,536, failing first',
      met: comment.length > 0 && comment.length <= 65_536 && failingFirst,
    });
  } finally {
    await Promise.all([backend.close(), api.close()]);
  }
}

/** Size: a 50 MiB trace, a 5,000-scenario batch, 256 shard reports aggregated. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAKE_PROJECT_ID, FAKE_TOKEN, FakeSepurux } from '../test/support/fake-sepurux.js';
import { FAKE_GITHUB_TOKEN, FakeGitHub } from '../test/support/fake-github.js';
import { runAction } from '../test/support/runner.js';
import { serveHandlers } from '../test/support/serve.js';
import { webhookExample } from '../test/support/webhooks.js';
import { sepurux } from '../src/core/backends/sepurux/index.js';
import { reportJson } from '../src/core/report-file/write.js';
import { decide } from '../src/core/verdict/verdict.js';
import { cacheDir, here, quick, record, seconds, servedFake } from './common.js';

/** A trace of about `bytes` bytes: many tool calls with realistic payloads. */
async function writeTrace(path: string, bytes: number): Promise<void> {
  const step = JSON.stringify({
    type: 'tool_call',
    tool: 'orders.lookup',
    args: { order_id: '4200', note: 'x'.repeat(400) },
    result: { status: 'delivered', amount: 4200 },
  });
  const count = Math.ceil(bytes / (step.length + 1));
  await writeFile(
    path,
    `{"name":"large_flow","steps":[${Array.from({ length: count }, () => step).join(',')}]}`,
  );
}

export async function largeTrace() {
  const bytes = quick ? 1024 * 1024 : 50 * 1024 * 1024;
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, `trace-${bytes}.json`);
  await writeTrace(path, bytes);
  const rssFile = join(cacheDir, 'rss.txt');
  const { fake, server, base } = await servedFake(0);
  try {
    const run = await runAction({
      inputs: {
        base_url: base,
        token: FAKE_TOKEN,
        project_id: FAKE_PROJECT_ID,
        trace_file: path,
        campaign_name: 'refund-reliability',
        github_token: '',
      },
      env: {
        NODE_OPTIONS: `--import=${pathToFileURL(join(here, 'rss-probe.mjs')).href}`,
        BENCH_RSS_FILE: rssFile,
      },
    });
    if (run.exitCode !== 0 || fake.traces.size !== 1)
      throw new Error(`the large trace did not go through: ${run.outputs.reason}`);
    const rssMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
    const size = `${(bytes / 1024 / 1024).toFixed(0)} MiB trace`;
    record({ measure: `${size}: whole gate`, value: seconds(run.durationMs) });
    record({
      measure: `${size}: peak RSS of the action`,
      value: `${rssMiB.toFixed(0)} MiB`,
      ...(quick ? {} : { target: '≤ 250 MiB', met: rssMiB <= 250 }),
    });
  } finally {
    await server.close();
  }
}

export async function bigBatch() {
  const scenarios = quick ? 50 : 5_000;
  const fake = new FakeSepurux();
  const campaign = fake.campaign('scenario-pool');
  campaign.evalSet = Array.from({ length: scenarios }, (_, i) => `trace-${i}`);
  campaign.minScenarios = 1;
  campaign.finishAfterMs = 1_500;
  campaign.outcome = {
    decision: 'fail',
    pass_rate: 0.7,
    unsafe_attempts: 3,
    failures: scenarios,
    top_failing_tools: Array.from({ length: scenarios }, (_, i) => ({
      tool: `<img src=x>@team | tool-${i} ${'w'.repeat(80)}`,
      count: scenarios - i,
    })),
  };
  const github = new FakeGitHub();
  const backend = await serveHandlers(() => fake.handlers());
  const api = await serveHandlers(() => github.handlers());
  try {
    const payload = webhookExample('pull_request', 'opened') as {
      pull_request: { number: number };
    };
    const run = await runAction({
      inputs: { base_url: `${backend.origin}/api`, token: FAKE_TOKEN, campaign_id: campaign.id },
      eventName: 'pull_request',
      payload,
      github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
    });
    const polls = fake.requestsTo('GET', '/v1/ci/batch/').length;
    const perRun = fake.requestsTo('GET', '/v1/ci/runs/').length;
    const comment = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
    record({
      measure: `${scenarios}-scenario batch: requests per poll`,
      value: `${(polls + perRun) / polls} (${polls} polls, ${perRun} per-run requests)`,
      target: '1 per poll',
      met: perRun === 0,
    });
    record({
      measure: `${scenarios}-scenario batch: comment size`,
      value: `${comment.length} characters (verdict ${run.outputs.decision})`,
      target: '≤ 65,536',
      met: comment.length > 0 && comment.length <= 65_536,
    });
  } finally {
    await Promise.all([backend.close(), api.close()]);
  }
}

/** Aggregating a big matrix: 256 shard reports into one check and one comment. */
export async function aggregateScale() {
  const shards = quick ? 16 : 256;
  const workspace = join(cacheDir, `matrix-${shards}`);
  const payload = webhookExample('pull_request', 'opened') as {
    pull_request: { number: number; head: { sha: string } };
  };
  await mkdir(join(workspace, 'reports'), { recursive: true });
  await Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const failures = i % 7 === 0 ? 1 : 0;
      const verdict = decide(
        sepurux,
        {
          decision: failures ? 'fail' : 'pass',
          status: 'done',
          ids: { run_id: `run-${i}` },
          figures: {
            pass_rate: failures ? 0.8 : 0.95,
            unsafe_attempts: 0,
            failures,
            trace_count: 20,
          },
          thresholds: [],
          topFailingTools: [],
        },
        1000,
      );
      const dir = join(workspace, 'reports', `gate-shard-${i}`);
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'verdict.json'),
        reportJson(verdict, {
          checkName: 'Sepurux Reliability Gate',
          repository: 'Codertocat/Hello-World',
          headSha: payload.pull_request.head.sha,
          shard: `shard-${i}`,
        }),
      );
    }),
  );
  const github = new FakeGitHub({ validate: false });
  const api = await serveHandlers(() => github.handlers());
  const rssFile = join(cacheDir, 'rss-aggregate.txt');
  try {
    const run = await runAction({
      inputs: { aggregate: 'reports/**/*.json', expected_shards: String(shards) },
      eventName: 'pull_request',
      payload,
      cwd: workspace,
      github: { origin: api.origin, token: FAKE_GITHUB_TOKEN },
      env: {
        GITHUB_WORKSPACE: workspace,
        NODE_OPTIONS: `--import=${pathToFileURL(join(here, 'rss-probe.mjs')).href}`,
        BENCH_RSS_FILE: rssFile,
      },
    });
    if (run.outputs.decision !== 'fail' || !run.outputs.reason?.startsWith(`${shards} shards`))
      throw new Error(`the aggregate did not read every shard: ${run.outputs.reason}`);
    const comment = github.comments.get(payload.pull_request.number)?.[0]?.body ?? '';
    const rssMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
    record({
      measure: `${shards} shard reports: whole aggregate step (read, check, comment)`,
      value: seconds(run.durationMs),
      target: '< 1 s',
      met: run.durationMs < 1000,
    });
    record({
      measure: `${shards} shard reports: peak RSS, comment size`,
      value: `${rssMiB.toFixed(0)} MiB, ${comment.length} characters`,
      target: '≤ 65,536 characters',
      met: comment.length > 0 && comment.length <= 65_536,
    });
  } finally {
    await api.close();
  }
}

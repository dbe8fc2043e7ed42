import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './runner.js';
import { parseWorkflow, type Workflow } from './workflow.js';

/** The pages whose ```yaml blocks a user pastes: the README and the guide behind it. */
const DOC_PAGES = [
  'README.md',
  ...readdirSync(join(REPOSITORY_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The README's and docs' ```yaml blocks that use this action, each made a workflow (a fragment of a job's `env:` and steps runs as one job on `pull_request`). */
export function readmeWorkflows(): { title: string; workflow: Workflow }[] {
  return DOC_PAGES.flatMap((page) => pageWorkflows(page));
}

function pageWorkflows(page: string): { title: string; workflow: Workflow }[] {
  const text = readFileSync(join(REPOSITORY_ROOT, page), 'utf8');
  const blocks = [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)].map((m) => ({
    line: text.slice(0, m.index).split('\n').length,
    yaml: m[2]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''),
  }));
  return blocks
    .filter((block) => /uses: \S*agent-reliability-gate@/.test(block.yaml))
    .map((block) => {
      const parsed = parse(block.yaml, { schema: 'failsafe' }) as unknown;
      const steps = Array.isArray(parsed) ? parsed : (parsed as { steps?: unknown }).steps;
      // A fragment of a job (`env:` and `steps:`) keeps its `env:`.
      const env = Array.isArray(parsed)
        ? undefined
        : (parsed as { env?: Record<string, string> }).env;
      const workflow: Workflow = (parsed as { jobs?: unknown }).jobs
        ? parseWorkflow(block.yaml)
        : {
            on: 'pull_request',
            jobs: {
              gate: { ...(env && { env }), steps: steps as Workflow['jobs'][string]['steps'] },
            },
          };
      return { title: `${page} line ${block.line}`, workflow };
    });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './runner.js';
import { parseWorkflow, type Workflow } from './workflow.js';

/** README's ```yaml blocks that use this action, each made a workflow (a fragment of steps runs as one job on `pull_request`). */
export function readmeWorkflows(): { title: string; workflow: Workflow }[] {
  const text = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)].map((m) => ({
    line: text.slice(0, m.index).split('\n').length,
    yaml: m[2]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''),
  }));
  return blocks
    .filter((block) => /uses: \S*agent-reliability-gate@/.test(block.yaml))
    .map((block) => {
      const parsed = parse(block.yaml, { schema: 'failsafe' }) as unknown;
      const steps = Array.isArray(parsed) ? parsed : (parsed as { steps?: unknown }).steps;
      const workflow: Workflow = (parsed as { jobs?: unknown }).jobs
        ? parseWorkflow(block.yaml)
        : {
            on: 'pull_request',
            jobs: { gate: { steps: steps as Workflow['jobs'][string]['steps'] } },
          };
      return { title: `README.md line ${block.line}`, workflow };
    });
}

import { createRequire } from 'node:module';

interface WebhookDefinition {
  name: string;
  examples: (Record<string, unknown> & { action?: string })[];
}

const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

/**
 * A real webhook payload from `@octokit/webhooks-examples`, deep-copied so tests may edit it.
 * `pull_request_target` carries the same payload as `pull_request`.
 */
export function webhookExample(event: string, action?: string): Record<string, unknown> {
  const name = event === 'pull_request_target' ? 'pull_request' : event;
  const examples = definitions.find((d) => d.name === name)?.examples ?? [];
  const example = examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no webhook example for ${event}${action ? `.${action}` : ''}`);
  return structuredClone(example);
}

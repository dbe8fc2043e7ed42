import type { DeclaredInput } from '../inputs/declare.js';
import {
  ENTRY_KEYS,
  GATE_NAME,
  MAX_GATES,
  MAX_PATHS,
  STEP_ONLY_INPUTS,
  STEP_VARIABLE_PREFIXES,
} from './config.js';

/** Where the schema is published, for editors: the repository's file at the release's tag. */
export const GATES_SCHEMA_FILE = 'reliability-gates.schema.json';

/**
 * The JSON Schema of the config file (draft 2020-12), made from the same declarations as
 * action.yml and `--help`: every gate input an entry may set, described, and nothing else, so
 * that an editor flags a misspelt threshold as it is typed. YAML numbers and strings are read
 * alike, so a value may be either.
 */
export function gatesJsonSchema(inputs: readonly DeclaredInput[]): Record<string, unknown> {
  const settable = inputs.filter(
    (input) => !input.actionOnly && !input.cliOnly && !(input.name in STEP_ONLY_INPUTS),
  );
  const properties: Record<string, unknown> = {
    name: {
      type: 'string',
      pattern: GATE_NAME.source,
      description: ENTRY_KEYS.name,
    },
    paths: {
      description: ENTRY_KEYS.paths,
      oneOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          minItems: 1,
          maxItems: MAX_PATHS,
        },
      ],
    },
    token_env: {
      type: 'string',
      pattern: `^(?!${STEP_VARIABLE_PREFIXES.join('|')})[A-Za-z_][A-Za-z0-9_]*$`,
      description: ENTRY_KEYS.token_env,
    },
  };
  for (const input of settable) {
    const backend = input.backend ? ` (${input.backend} only.)` : '';
    properties[input.name] = {
      type: ['string', 'number', 'boolean'],
      description: `${input.description}${backend}`,
      ...(input.default !== undefined ? { default: input.default } : {}),
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://raw.githubusercontent.com/OWNER/agent-reliability-gate/v1/${GATES_SCHEMA_FILE}`,
    title: 'Agent reliability gates',
    description:
      'Many gates in one step (the `config` input, `--config` on the command line): each entry runs only where a change reaches its `paths`, with one check and one comment for all. Credentials are never in this file: `token_env` names the variable that holds one.',
    type: 'object',
    additionalProperties: false,
    required: ['gates'],
    properties: {
      gates: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_GATES,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties,
        },
      },
    },
  };
}

/**
 * `npm run action-yml`: writes action.yml's inputs and outputs from the declarations in the
 * code (src/action/manifest.ts); the name, description and branding above them stay as written.
 * It writes the config file's JSON Schema (reliability-gates.schema.json) from the same
 * declarations. `--check` exits 1, saying what differs, when either is not what they make.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { actionManifest } from '../src/action/manifest.js';
import { GATE_INPUTS } from '../src/core/backends/vocabulary.js';
import { GATES_SCHEMA_FILE, gatesJsonSchema } from '../src/core/gates/schema.js';

const FILE = fileURLToPath(new URL('../action.yml', import.meta.url));
const SCHEMA_FILE = fileURLToPath(new URL(`../${GATES_SCHEMA_FILE}`, import.meta.url));

/** The config file's JSON Schema as the declarations make it. */
export const generatedGatesSchema = () =>
  `${JSON.stringify(gatesJsonSchema(GATE_INPUTS), null, 2)}\n`;

/** action.yml as the declarations make it, keeping the hand-written head of `current`. */
export function generatedActionYml(current: string): string {
  const head = current.slice(0, current.indexOf('\ninputs:') + 1);
  const { inputs, outputs } = actionManifest();
  const body = stringify(
    { inputs, outputs, runs: { using: 'node24', main: 'dist/index.js' } },
    { lineWidth: 0 },
  );
  return `${head}${body.replace(/\n(outputs|runs):/g, '\n\n$1:')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(FILE, 'utf8');
  const generated = generatedActionYml(current);
  const schema = generatedGatesSchema();
  if (process.argv.includes('--check')) {
    const stale = [
      ...(generated !== current ? ['action.yml'] : []),
      ...(readFileSync(SCHEMA_FILE, 'utf8') !== schema ? [GATES_SCHEMA_FILE] : []),
    ];
    if (stale.length > 0) {
      console.error(
        `${stale.join(' and ')} not what the declarations make: run \`npm run action-yml\`.`,
      );
      process.exit(1);
    }
  } else {
    writeFileSync(FILE, generated);
    writeFileSync(SCHEMA_FILE, schema);
  }
}

/**
 * `npm run action-yml`: writes action.yml's inputs and outputs from the declarations in the
 * code (src/action/manifest.ts); the name, description and branding above them stay as written.
 * It writes the config file's JSON Schema (reliability-gates.schema.json) from the same
 * declarations, and the inputs and outputs tables of docs/inputs.md and README.md (between their
 * markers, scripts/docs-tables.ts). `--check` exits 1, saying what differs, when any is not what
 * they make.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { actionManifest } from '../src/action/manifest.js';
import { GATE_INPUTS } from '../src/core/backends/vocabulary.js';
import { GATES_SCHEMA_FILE, gatesJsonSchema } from '../src/core/gates/schema.js';
import { generatedInputsPage, generatedReadme } from './docs-tables.js';

const FILE = fileURLToPath(new URL('../action.yml', import.meta.url));
const SCHEMA_FILE = fileURLToPath(new URL(`../${GATES_SCHEMA_FILE}`, import.meta.url));
/** The docs that hold generated tables, each with what makes it. */
const DOCS: { name: string; make: (current: string) => string }[] = [
  { name: 'README.md', make: generatedReadme },
  { name: 'docs/inputs.md', make: generatedInputsPage },
];
const docPath = (name: string) => fileURLToPath(new URL(`../${name}`, import.meta.url));

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
  const docs = DOCS.map(({ name, make }) => {
    const text = readFileSync(docPath(name), 'utf8');
    return { name, text, generated: make(text) };
  });
  if (process.argv.includes('--check')) {
    const stale = [
      ...(generated !== current ? ['action.yml'] : []),
      ...(readFileSync(SCHEMA_FILE, 'utf8') !== schema ? [GATES_SCHEMA_FILE] : []),
      ...docs.filter((doc) => doc.generated !== doc.text).map((doc) => doc.name),
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
    for (const doc of docs) writeFileSync(docPath(doc.name), doc.generated);
  }
}

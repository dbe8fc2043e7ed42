/**
 * `npm run action-yml`: writes action.yml's inputs and outputs from the declarations in the
 * code (src/action/manifest.ts); the name, description and branding above them stay as written.
 * `--check` exits 1, saying what differs, when action.yml is not what the declarations make.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { actionManifest } from '../src/action/manifest.js';

const FILE = fileURLToPath(new URL('../action.yml', import.meta.url));

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
  if (process.argv.includes('--check')) {
    if (generated !== current) {
      console.error('action.yml is not what the declarations make: run `npm run action-yml`.');
      process.exit(1);
    }
  } else {
    writeFileSync(FILE, generated);
  }
}

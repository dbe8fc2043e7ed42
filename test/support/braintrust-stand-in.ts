import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ID } from './fake-braintrust.js';
import { ACTION_NODE } from './runner.js';
import { scratchDir } from './scratch.js';

/** The braintrust version the examples pin. */
export const BRAINTRUST_VERSION = '3.35.0';

const SCRIPT = resolve(fileURLToPath(new URL('./braintrust-npx.mjs', import.meta.url)));
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * A folder to put first on PATH whose `npx` stands in for `npx braintrust@<version> eval`
 * (test/support/braintrust-npx.mjs): it logs the experiment in the fake Braintrust at `api`, as
 * the real `braintrust eval` would in Braintrust, and passes any other `npx` call on.
 */
export function braintrustStandIn(api: () => string): { bin: string } {
  const bin = join(scratchDir('braintrust-stand-in'), 'bin');
  mkdirSync(bin);
  const npx = join(bin, 'npx');
  const settings = () => ({
    BRAINTRUST_STAND_IN_VERSION: BRAINTRUST_VERSION,
    BRAINTRUST_STAND_IN_API: api(),
    BRAINTRUST_STAND_IN_PROJECT_ID: PROJECT_ID,
    BRAINTRUST_STAND_IN_BIN: bin,
  });
  return {
    get bin() {
      // Written when first asked for, once the fake is served: its origin is known then.
      writeFileSync(
        npx,
        `#!/bin/sh\n${Object.entries(settings())
          .map(([name, value]) => `export ${name}=${quote(value)}\n`)
          .join('')}exec ${quote(ACTION_NODE)} ${quote(SCRIPT)} "$@"\n`,
      );
      chmodSync(npx, 0o755);
      return bin;
    },
  };
}

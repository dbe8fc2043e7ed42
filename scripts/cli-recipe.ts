/**
 * The command line's recipe against `npm run fake-backend`: the `GATE_*` variables, then one
 * passing and one failing command (the regressing trace on the same campaign) and the many-gates
 * example, each a line to paste into a shell in the repository's root. It runs the committed
 * bundle (`node dist/cli/index.js`), which a fresh clone has after `npm ci`; a test runs the
 * printed lines as they are (test/scripts/fake-backend.test.ts).
 */
import { FAKE_PROJECT_ID, FAKE_TOKEN } from '../test/support/fake-sepurux.js';

/** The recipe's parts for a fake Sepurux on `sepuruxOrigin`. */
export function commandLineRecipe(sepuruxOrigin: string) {
  const gate = `node dist/cli/index.js --base-url ${sepuruxOrigin}`;
  const single = `${gate} --campaign-name refund-reliability --min-pass-rate 0.85 --trace-file`;
  return {
    variables: `export GATE_TOKEN=${FAKE_TOKEN} GATE_PROJECT_ID=${FAKE_PROJECT_ID}`,
    passing: `${single} examples/traces/refund_flow.json`,
    failing: `${single} examples/traces/checkout_flow.json`,
    // The config's trace paths are the workspace's (the folder it runs in): examples/traces/ holds them.
    manyGates: `(cd examples && node ../dist/cli/index.js --base-url ${sepuruxOrigin} --config reliability-gates.yml)`,
  };
}

/** The recipe as `npm run fake-backend` prints it: prose, and the lines to paste indented by two spaces. */
export function commandLineRecipeText(sepuruxOrigin: string): string {
  const recipe = commandLineRecipe(sepuruxOrigin);
  return `The command line (GATE_* variables, --base-url), in a second terminal in this folder:

  ${recipe.variables}
  ${recipe.passing}

passes (exit 0). The regressing trace, on the same campaign, fails (exit 1) and says why:

  ${recipe.failing}

Many gates in one step: examples/reliability-gates.yml, its three agents' traces in examples/traces/:

  ${recipe.manyGates}
`;
}

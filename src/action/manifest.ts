import { FIGURE_SPECS, ID_SPECS } from '../core/backends/vocabulary.js';
import { ACTION_INPUTS, runnerDefault } from './inputs.js';
import { VERDICT_OUTPUTS } from './outputs.js';

/** One input or output as action.yml declares it. */
export interface ManifestEntry {
  description: string;
  default?: string;
  required?: boolean;
}

/**
 * action.yml's inputs and outputs, derived from the declarations the code runs on: the gate's
 * and each backend's inputs, the verdict's outputs, each backend's ids and figures.
 * `npm run action-yml` writes them into action.yml; a test holds the file to them.
 */
export function actionManifest(): {
  inputs: Record<string, ManifestEntry>;
  outputs: Record<string, ManifestEntry>;
} {
  const inputs = Object.fromEntries(
    ACTION_INPUTS.map((input) => [
      input.name,
      {
        description: input.backend
          ? `${input.backend}: ${input.description.charAt(0).toLowerCase()}${input.description.slice(1)}`
          : input.description,
        ...(runnerDefault(input) === undefined ? {} : { default: runnerDefault(input) }),
        ...(input.required ? { required: true } : {}),
      },
    ]),
  );
  const outputs = Object.fromEntries([
    ...VERDICT_OUTPUTS.map(({ name, description }) => [name, { description }]),
    ...ID_SPECS.map(({ name, description }) => [name, { description }]),
    ...FIGURE_SPECS.map(({ name, description }) => [
      name,
      { description: `${description} Empty when not returned.` },
    ]),
    [
      'report_file',
      {
        description:
          'Path of a JSON file holding the whole normalized verdict (its fields: docs/inputs.md, "The report file").',
      },
    ],
  ]);
  return { inputs, outputs };
}

import type { GatesConfig } from './config.js';
import type { StepDefinition } from './select.js';

/**
 * The files that define every entry: the config file, and what runs the step, as the door read
 * it from its CI ({@link stepFilesOf} in `src/core/change/step-files.ts`). Every entry inherits
 * the step's inputs, so a change to any of them runs them all.
 */
export function stepDefinitions(
  config: GatesConfig,
  stepFiles: readonly StepDefinition[],
): StepDefinition[] {
  return [{ path: config.repositoryPath, what: 'the config file' }, ...stepFiles];
}

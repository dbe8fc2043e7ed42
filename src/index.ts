import * as core from '@actions/core';
import { run } from './action/main.js';
import { defuseCommands } from './core/support/text.js';

// Exit as soon as the verdict is reported: a socket the backend never closed must not hold the job.
run()
  .catch((error: unknown) =>
    core.setFailed(
      defuseCommands(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`),
    ),
  )
  .finally(() => process.exit());

#!/usr/bin/env node
import { printable } from '../core/support/text.js';
import { main } from './main.js';

// Exit as soon as the verdict is out: a socket the backend never closed must not hold the job.
main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(
      `agent-reliability-gate: unexpected error: ${printable(error instanceof Error ? error.message : String(error))}\n`,
    );
    process.exit(1);
  },
);

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // In order: on a Node older than package.json's engines, stop at once with one line; one
    // line per missing test tool (cmark-gfm, Chromium, rsync), once for the run; and the
    // end-to-end tests run dist/index.js, so it must be built from today's src/.
    globalSetup: [
      'test/setup/node-version.ts',
      'test/setup/test-tools.ts',
      'test/setup/dist-is-fresh.ts',
    ],
    // Every folder a test file makes in $TMPDIR is removed after it (test/support/scratch.ts).
    setupFiles: ['test/setup/remove-scratch-dirs.ts'],
    // The end-to-end tests spawn the bundled action; two cores do not like many at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

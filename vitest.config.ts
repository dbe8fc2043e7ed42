import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests run dist/index.js: it must be built from today's src/.
    globalSetup: ['test/setup/dist-is-fresh.ts'],
    // The runner's folders each test file hands the action are removed after it.
    setupFiles: ['test/setup/remove-runner-dirs.ts'],
    // The end-to-end tests spawn the bundled action; two cores do not like many at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

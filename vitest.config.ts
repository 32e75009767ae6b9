import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships ESM and CJS builds; type-graphql and our code must share one (its instanceof checks).
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    setupFiles: ['tests/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each worker process keeps its module cache from file to file: every file still starts its own
    // server on its own database, and no module keeps state a later file could see (the suite on
    // PGlite took 522 s with a fresh module graph per file, 341 s without: the import was 183 s).
    isolate: false,
    // Two cores: two files at a time, each with its own server and database.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Starts a throwaway Postgres (or uses DATABASE_URL) and provides its URL to the tests.
    globalSetup: ['test/postgres-cluster.ts'],
    // Opening an in-memory PGlite runs initdb in WASM: a second or more on a small machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report feeds the CI summary line (.ci/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

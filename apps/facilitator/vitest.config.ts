import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests spawn the CLI, some several times, and a fresh PGlite directory takes seconds to create.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // The JSON report feeds the CI summary line (.ci/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Anvil, LiteSVM and the Stripe double start in hooks; CI runs every package's tests at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report feeds the CI summary line (.ci/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

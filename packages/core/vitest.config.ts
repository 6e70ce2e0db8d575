import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The testkit depends on core; core's tests reach the toy rail by path so the package graph stays acyclic.
export default defineConfig({
  resolve: {
    conditions: ['source'],
    alias: {
      '@x402-rails/testkit': fileURLToPath(new URL('../testkit/src/index.ts', import.meta.url)),
    },
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The JSON report feeds the CI summary line (.ci/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

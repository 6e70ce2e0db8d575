import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // eventsource-parser (under the MCP SDK) publishes a `source` condition pointing at
    // TypeScript, which Node cannot load; let Vite transform it instead.
    server: {
      deps: { inline: [/@modelcontextprotocol\/sdk/, 'eventsource', 'eventsource-parser'] },
    },
    // The JSON report feeds the CI summary line (.ci/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

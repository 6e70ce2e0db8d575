/**
 * The test setup every package shares: workspace packages are read from their sources (the
 * `source` export condition, so nothing needs building first), unit tests beside the code and
 * integration tests in test/, the JSON report that .ci/test-summary.mjs sums, and limits for
 * 2-core machines where tests start real chains, databases and servers in their hooks.
 */
import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

export function packageTests(test: TestOptions = {}, config: Omit<ViteUserConfig, 'test'> = {}) {
  return defineConfig({
    ...config,
    resolve: { ...config.resolve, conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // Each file may start an Anvil, a LiteSVM, a Postgres or a server: two at a time on 2 cores.
      maxWorkers: 2,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-output/vitest.json' },
      ...test,
    },
  });
}

/**
 * For packages whose tests load the MCP SDK: eventsource-parser (under it) publishes a `source`
 * condition pointing at TypeScript, which Node cannot load, so Vite transforms these instead.
 */
export const inlineMcpSdk: NonNullable<TestOptions['server']> = {
  deps: { inline: [/@modelcontextprotocol\/sdk/, 'eventsource', 'eventsource-parser'] },
};

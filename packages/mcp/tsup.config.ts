import { defineConfig } from 'tsup';

export const entry = ['src/index.ts', 'src/client.ts', 'src/server.ts'];

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['@modelcontextprotocol/sdk'],
});

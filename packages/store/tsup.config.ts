import { defineConfig } from 'tsup';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
// The drivers are not entries: they are reached by dynamic import() from src/open.ts, and
// splitting turns each into its own chunk, so a memory store never loads PGlite or pg.
export const entry = ['src/index.ts'];

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
});

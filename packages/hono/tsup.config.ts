import { defineConfig } from 'tsup';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
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

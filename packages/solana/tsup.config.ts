import { defineConfig } from 'tsup';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
export const entry = ['src/index.ts', 'src/client.ts', 'src/server.ts', 'src/facilitator.ts'];

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  // Splitting in CJS too, so a class shared by two subpaths is one module (instanceof holds).
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
});

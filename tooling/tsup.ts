/**
 * The build every published package shares: ESM and CJS with declarations for both, for Node 20.
 * A package's tsup.config.ts keeps its own `export const entry = [...]` (its subpath exports;
 * .ci/check-exports.mjs reads that list) and passes only what differs.
 */
import { defineConfig, type Options } from 'tsup';

export function libraryBuild(entry: string[], overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    // Splitting in CJS too, so a class shared by two subpaths is one module (instanceof holds).
    splitting: true,
    treeshake: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...overrides,
  });
}

/** An app's command-line entry: ESM only, no declarations, runnable as a bin. */
export function cliBuild(entry: string) {
  return defineConfig({
    entry: [entry],
    format: ['esm'],
    dts: false,
    clean: true,
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  });
}

import { libraryBuild } from '../../tooling/tsup.js';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
export const entry = [
  'src/index.ts',
  'src/client.ts',
  'src/server.ts',
  'src/facilitator.ts',
  'src/conformance.ts',
  'src/anvil.ts',
  'src/solana.ts',
  'src/stripe.ts',
  'src/adapters.ts',
];

export default libraryBuild(entry, {
  external: ['vitest'],
  // The Anvil launcher resolves its binary from import.meta.url, which CJS needs shimmed.
  shims: true,
  treeshake: false,
});

import { defineConfig } from 'tsup';

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

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['vitest'],
  // The Anvil launcher resolves its binary from import.meta.url, which CJS needs shimmed.
  shims: true,
});

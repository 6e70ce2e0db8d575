import { libraryBuild } from '../../tooling/tsup.js';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
export const entry = [
  'src/index.ts',
  'src/client.ts',
  'src/server.ts',
  'src/facilitator.ts',
  'src/crypto.ts',
];

export default libraryBuild(entry, {
  // The native secp256k1 binding is loaded with createRequire(import.meta.url).
  shims: true,
});

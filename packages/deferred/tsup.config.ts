import { libraryBuild } from '../../tooling/tsup.js';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
export const entry = [
  'src/index.ts',
  'src/client.ts',
  'src/server.ts',
  'src/facilitator.ts',
  'src/ledger.ts',
  'src/ledger-contract.ts',
  'src/redeem.ts',
  'src/credit-redeem.ts',
];

export default libraryBuild(entry);

import { libraryBuild } from '../../tooling/tsup.js';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
// The drivers are not entries: they are reached by dynamic import() from src/open.ts, and
// splitting turns each into its own chunk, so a memory store never loads PGlite or pg.
export const entry = ['src/index.ts', 'src/deferred-ledger-contract.ts'];

export default libraryBuild(entry);

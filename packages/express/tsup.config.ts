import { libraryBuild } from '../../tooling/tsup.js';

// Entries double as the package's subpath exports; .ci/check-exports.mjs keeps the two in step.
export const entry = ['src/index.ts'];

export default libraryBuild(entry);

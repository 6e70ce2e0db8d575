import { packageTests } from '../../tooling/vitest.js';

export default packageTests({
  // Every test spawns the CLI (some several times, each opening PGlite): one file at a time.
  maxWorkers: 1,
  testTimeout: 60_000,
});

import { packageTests } from '../../tooling/vitest.js';

export default packageTests({
  // `next build` of test/fixture-app once, before any test file runs.
  globalSetup: ['test/build-fixture.ts'],
  // The behaviour suite starts Anvil and a real server per file.
  hookTimeout: 120_000,
});

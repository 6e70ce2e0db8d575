import { packageTests } from '../../tooling/vitest.js';

export default packageTests({
  // Starts a throwaway Postgres (or uses DATABASE_URL) and provides its URL to the tests.
  globalSetup: ['test/postgres-cluster.ts'],
});

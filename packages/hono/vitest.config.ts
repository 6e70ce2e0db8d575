import { packageTests } from '../../tooling/vitest.js';

// The behaviour suite starts Anvil and a real server per file.
export default packageTests({ hookTimeout: 120_000 });

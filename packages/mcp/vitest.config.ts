import { inlineMcpSdk, packageTests } from '../../tooling/vitest.js';

export default packageTests({ server: inlineMcpSdk });

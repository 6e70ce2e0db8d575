import { fileURLToPath } from 'node:url';
import { packageTests } from '../../tooling/vitest.js';

// The testkit depends on core; core's tests reach the toy rail by path so the package graph stays acyclic.
export default packageTests(
  {},
  {
    resolve: {
      alias: {
        '@x402-rails/testkit': fileURLToPath(new URL('../testkit/src/index.ts', import.meta.url)),
      },
    },
  },
);

import { fileURLToPath } from 'node:url';

// The routes import the adapter's source from outside this app: the workspace root is the root.
const root = fileURLToPath(new URL('../../../../', import.meta.url));

export default {
  // Under test-output/, which git and biome ignore.
  distDir: 'test-output/next-build',
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
};

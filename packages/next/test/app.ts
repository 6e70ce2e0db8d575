/** The behaviour suite's app: the fixture Next.js app (built by globalSetup), served by `next()`. */
import type { AdapterAppSetup } from '@x402-rails/testkit/adapters';
import { STREAM_CHUNKS, serveNode } from '@x402-rails/testkit/adapters';
import next from 'next';
import { fixtureDir } from './build-fixture.js';

declare global {
  var __x402NextFixture: (AdapterAppSetup & { chunks: readonly string[] }) | undefined;
}

export async function startNextApp({ server, route }: AdapterAppSetup) {
  globalThis.__x402NextFixture = { server, route, chunks: STREAM_CHUNKS };
  let handle: ReturnType<ReturnType<typeof next>['getRequestHandler']> | undefined;
  const served = await serveNode((request, response) => {
    void handle?.(request, response);
  });
  // Next builds request.url from its own hostname and port, so it is told them once listening.
  const app = next({
    dev: false,
    dir: fixtureDir,
    hostname: '127.0.0.1',
    port: Number(new URL(served.url).port),
  });
  await app.prepare();
  handle = app.getRequestHandler();
  return {
    url: served.url,
    async stop() {
      await served.stop();
      await app.close();
      globalThis.__x402NextFixture = undefined;
    },
  };
}

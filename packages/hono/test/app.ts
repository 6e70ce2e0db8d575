/** The behaviour suite's app, in Hono, served by @hono/node-server's request listener. */
import { getRequestListener } from '@hono/node-server';
import type { AdapterAppSetup } from '@x402-rails/testkit/adapters';
import { nextTurn, STREAM_CHUNKS, serveNode } from '@x402-rails/testkit/adapters';
import { Hono } from 'hono';
import { streamText } from 'hono/streaming';
import { paid } from '../src/index.js';

export function startHonoApp({ server, route }: AdapterAppSetup) {
  const pay = paid(server, route);
  const app = new Hono();
  app.on(['GET', 'OPTIONS'], '/weather/:city', pay, (c) =>
    c.json({ city: c.req.param('city'), weather: 'sunny' }),
  );
  app.get('/forecast/:city', pay, (c) => c.json({ city: c.req.param('city'), forecast: 'rain' }));
  app.get('/broken/:city', pay, (c) => c.json({ error: 'broken' }, 500));
  app.get('/throws/:city', pay, () => {
    throw new Error('the handler failed');
  });
  app.get('/stream/:city', pay, (c) =>
    streamText(c, async (stream) => {
      for (const chunk of STREAM_CHUNKS) {
        await stream.write(chunk);
        await nextTurn();
      }
    }),
  );
  return serveNode(getRequestListener(app.fetch));
}

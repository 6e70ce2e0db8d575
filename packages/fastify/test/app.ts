/** The behaviour suite's app, in Fastify. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AdapterAppSetup } from '@x402-rails/testkit/adapters';
import { nextTurn, STREAM_CHUNKS } from '@x402-rails/testkit/adapters';
import Fastify from 'fastify';
import { x402 } from '../src/index.js';

export async function startFastifyApp({ server, route }: AdapterAppSetup) {
  const app = Fastify({
    serverFactory: (handler) => createServer({ maxHeaderSize: 128 * 1024 }, handler),
  });
  await app.register(x402, { server });
  const paid = { config: { x402: route } };
  type City = { Params: { city: string } };
  app.route<City>({
    method: ['GET', 'OPTIONS'],
    url: '/weather/:city',
    ...paid,
    handler: async (request) => ({ city: request.params.city, weather: 'sunny' }),
  });
  app.get<City>('/forecast/:city', paid, async (request) => ({
    city: request.params.city,
    forecast: 'rain',
  }));
  app.get('/broken/:city', paid, async (_request, reply) =>
    reply.code(500).send({ error: 'broken' }),
  );
  app.get('/throws/:city', paid, async () => {
    throw new Error('the handler failed');
  });
  app.get('/stream/:city', paid, async (_request, reply) => {
    async function* chunks() {
      for (const chunk of STREAM_CHUNKS) {
        yield chunk;
        await nextTurn();
      }
    }
    return reply.type('text/plain').send(Readable.from(chunks()));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => app.close() };
}

/**
 * `@x402-rails/fastify` — x402 payments on Fastify 5 routes. Register the plugin once with the
 * resource server; a route opts in with `config: { x402: routeConfig }`. The `preHandler` hook
 * hands the request head to the core engine; a refusal is sent from there, otherwise the route's
 * handler runs and its reply, caught in `onSend`, is held until the engine has settled the payment.
 */
import { Readable } from 'node:stream';
import { toWebRequest, toWebResponse } from '@x402-rails/core/node';
import type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';

export type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's payment configuration; routes without it are free. */
    x402?: RoutePaymentConfig;
  }
}

export interface X402PluginOptions {
  server: ResourceServer;
}

interface InFlight {
  hand(response: Response): void;
  outcome: Promise<Response>;
}
const inFlight = new WeakMap<FastifyRequest, InFlight>();

function heldResponse(reply: FastifyReply, payload: unknown): Response {
  const body =
    payload === null || payload === undefined
      ? null
      : payload instanceof Readable
        ? (Readable.toWeb(payload) as ReadableStream<Uint8Array>)
        : Buffer.from(payload as string | Uint8Array);
  return toWebResponse(reply.statusCode, reply.getHeaders(), body);
}

/** Makes the reply say what `response` says, returning the body for Fastify to send. */
function answer(reply: FastifyReply, response: Response): Readable | null {
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  reply.code(response.status);
  for (const [name, value] of response.headers)
    if (name !== 'set-cookie') reply.header(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return response.body
    ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)
    : null;
}

const plugin: FastifyPluginCallback<X402PluginOptions> = (fastify, { server }, done) => {
  fastify.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.config.x402;
    if (!route) return;
    const head = toWebRequest(request.raw, `${request.protocol}://${request.host}`, undefined, {
      body: false,
      target: request.url,
    });
    let started = () => {};
    const handlerStarted = new Promise<undefined>((resolve) => {
      started = () => resolve(undefined);
    });
    let hand: (response: Response) => void = () => {};
    const held = new Promise<Response>((resolve) => {
      hand = resolve;
    });
    const outcome = server.handle(head, route, () => {
      started();
      return held;
    });
    inFlight.set(request, { hand, outcome });
    // Either the engine refuses before the handler runs, or the route's handler goes ahead.
    const refusal = await Promise.race([handlerStarted, outcome]);
    if (refusal) {
      inFlight.delete(request);
      return reply.send(answer(reply, refusal));
    }
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const flight = inFlight.get(request);
    if (!flight) return payload;
    inFlight.delete(request);
    flight.hand(heldResponse(reply, payload));
    return answer(reply, await flight.outcome);
  });
  done();
};

// Hooks of a plugin marked this way apply to the whole app, as fastify-plugin would do.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@x402-rails/fastify',
});

/**
 * @example
 * await app.register(x402, { server });
 * app.get('/weather/:city', { config: { x402: { accepts: { scheme: 'exact', network, price: '$0.01', payTo } } } },
 *   async (request) => ({ city: (request.params as { city: string }).city, weather: 'sunny' }));
 */
export const x402: FastifyPluginCallback<X402PluginOptions> = plugin;

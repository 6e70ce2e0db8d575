/**
 * `@x402-rails/hono` — x402 payments on Hono routes. `paid(server, route)` is middleware: Hono's
 * request already is a Web `Request`, so the core engine runs the rest of the route as the paid
 * handler and its answer becomes the route's response. A streamed body is not read until the
 * payment has settled.
 */
import type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';
import type { MiddlewareHandler } from 'hono';

export type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';

/**
 * @example
 * app.get('/weather/:city', paid(server, { accepts: { scheme: 'exact', network, price: '$0.01', payTo } }),
 *   (c) => c.json({ city: c.req.param('city'), weather: 'sunny' }));
 */
export function paid(server: ResourceServer, route: RoutePaymentConfig): MiddlewareHandler {
  return async (c, next) => {
    let handled: Response | undefined;
    const response = await server.handle(c.req.raw, route, async () => {
      await next();
      handled = c.res;
      return handled;
    });
    if (response !== handled) {
      // Assigning c.res merges the previous response's headers into the new one: a refusal must
      // not carry the handler's headers, so the slot is cleared first.
      c.res = undefined;
    }
    c.res = response;
  };
}

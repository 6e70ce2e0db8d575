/**
 * `@x402-rails/express` — x402 payments on Express 5 routes. `paid(server, route)` is route
 * middleware: the request goes through the core engine, the rest of the route runs as the paid
 * handler with everything it writes held back, and the engine's answer (the held response with
 * `PAYMENT-RESPONSE` once settled, or a refusal) is what the client gets.
 */
import {
  type HeldResponse,
  holdResponse,
  toWebRequest,
  writeWebResponse,
} from '@x402-rails/core/node';
import type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';
import type { RequestHandler } from 'express';

export type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';

/**
 * @example
 * app.get('/weather/:city', paid(server, { accepts: { scheme: 'exact', network, price: '$0.01', payTo } }),
 *   (req, res) => { res.json({ city: req.params.city, weather: 'sunny' }) });
 */
export function paid(server: ResourceServer, route: RoutePaymentConfig): RequestHandler {
  return (req, res, next) => {
    // The body stays unread for the route's own parsers; the engine needs only the head.
    const request = toWebRequest(req, `${req.protocol}://${req.host ?? 'localhost'}`, undefined, {
      body: false,
      target: req.originalUrl,
    });
    // Headers set before this middleware (CORS, request ids) survive a refusal; the handler's do not.
    const before = new Set(res.getHeaderNames());
    const dropHandlerHeaders = () => {
      for (const name of res.getHeaderNames()) if (!before.has(name)) res.removeHeader(name);
    };
    let held: HeldResponse | undefined;
    server
      .handle(request, route, () => {
        held = holdResponse(res, { head: req.method === 'HEAD' });
        next();
        return held.response;
      })
      .then(
        async (response) => {
          held?.restore();
          // A served response carries the handler's headers itself; a refusal must not.
          dropHandlerHeaders();
          await writeWebResponse(response, res);
        },
        (error: unknown) => {
          held?.restore();
          if (!res.headersSent) dropHandlerHeaders();
          next(error);
        },
      )
      .catch(next);
  };
}

/**
 * `@x402-rails/next` — x402 payments on Next.js App Router route handlers. A route handler already
 * takes a Web `Request` and returns a `Response`, so `withPayment` only puts the core engine
 * between Next and the handler: the handler runs as the paid handler, its body is not read until
 * the payment has settled, and the engine's answer is what Next sends.
 */
import type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';

export type { ResourceServer, RoutePaymentConfig } from '@x402-rails/core/server';

/** A route handler: `(request, { params })` → `Response`. */
export type RouteHandler<Req extends Request, Context> = (
  request: Req,
  context: Context,
) => Response | Promise<Response>;

/**
 * @example
 * // app/weather/[city]/route.ts
 * export const GET = withPayment(server, { accepts: { scheme: 'exact', network, price: '$0.01', payTo } },
 *   async (request: NextRequest, { params }: { params: Promise<{ city: string }> }) =>
 *     Response.json({ city: (await params).city, weather: 'sunny' }));
 */
export function withPayment<Req extends Request, Context>(
  server: ResourceServer,
  route: RoutePaymentConfig,
  handler: RouteHandler<Req, Context>,
): (request: Req, context: Context) => Promise<Response> {
  return (request, context) => server.handle(request, route, () => handler(request, context));
}

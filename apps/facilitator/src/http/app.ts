/**
 * The service's Fetch handler: core's facilitator routes plus `GET /metrics`, wrapped with a
 * request id, a request counter and one log line per request.
 */
import { createFacilitatorHandler, type Facilitator } from '@x402-rails/core/facilitator';
import type { Logger } from 'pino';
import type { FacilitatorMetrics } from '../metrics/facilitator-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry.js';
import { type RequestContext, requestContext, requestIdFrom } from './context.js';

export interface HttpAppOptions {
  facilitator: Facilitator;
  metrics: FacilitatorMetrics;
  logger: Logger;
  bearerToken?: string;
}

/** Endpoints by name; anything else is counted as `other`, so scanners cannot mint series. */
const ENDPOINTS = new Set(['/verify', '/settle', '/release', '/supported', '/health', '/metrics']);

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });

export interface HttpApp {
  handle(request: Request): Promise<Response>;
}

export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { metrics, logger } = options;
  const core = createFacilitatorHandler(
    options.facilitator,
    options.bearerToken ? { bearerToken: options.bearerToken } : {},
  );

  async function route(request: Request, path: string): Promise<Response> {
    // /metrics is unauthenticated like /health: scrapers rarely carry bearer tokens.
    if (path === '/metrics') {
      if (request.method !== 'GET')
        return json(405, { error: 'method_not_allowed' }, { allow: 'GET' });
      return new Response(metrics.registry.render(), {
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
      });
    }
    return core(request);
  }

  async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const path = new URL(request.url).pathname;
    const context: RequestContext = {
      requestId: requestIdFrom(request.headers.get('x-request-id')),
    };
    let response: Response;
    try {
      response = await requestContext.run(context, () => route(request, path));
    } catch (error) {
      logger.error({ reqId: context.requestId, err: error }, 'request failed');
      response = json(500, { error: 'internal_error' });
    }
    const status = response.status;
    metrics.requests.inc({
      endpoint: ENDPOINTS.has(path) ? path : 'other',
      status: String(status),
    });
    const line = {
      reqId: context.requestId,
      method: request.method,
      // Bounded: a client chooses the path, and a log line should not be a megabyte.
      path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...context.outcome,
    };
    if (status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');

    const headers = new Headers(response.headers);
    headers.set('x-request-id', context.requestId);
    return new Response(response.body, {
      status,
      statusText: response.statusText,
      headers,
    });
  }

  return { handle };
}

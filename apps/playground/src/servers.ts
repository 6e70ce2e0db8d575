/**
 * The two HTTP servers of the playground: the facilitator, serving every rail, and the paid API,
 * whose routes accept every rail and which asks the facilitator to verify and settle. Both are
 * node:http on 127.0.0.1 and talk to each other over real HTTP. A third server, the paid MCP
 * tools, works like the paid API over MCP's Streamable HTTP transport.
 */

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createFacilitator, createFacilitatorHandler } from '@x402-rails/core/facilitator';
import { type FetchServer, serveFetch } from '@x402-rails/core/node';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  type PaymentEvent,
  type RoutePaymentConfig,
} from '@x402-rails/core/server';
import { createMcpPayments, type ToolPayment } from '@x402-rails/mcp/server';
import { z } from 'zod';
import type { PaidRouteSpec, PaidToolSpec } from './catalog.js';
import type { PlaygroundRail } from './rails/rail.js';

/** Loopback only: the playground hands out secret keys and must not be reachable from outside. */
export const PLAYGROUND_HOST = '127.0.0.1';

export function startFacilitatorServer(
  rails: readonly Pick<PlaygroundRail, 'facilitator'>[],
): Promise<FetchServer> {
  const facilitator = createFacilitator({ schemes: rails.map((rail) => rail.facilitator) });
  return serveFetch(createFacilitatorHandler(facilitator), { host: PLAYGROUND_HOST, port: 0 });
}

/** The rails that can charge `price` (a card rail has a minimum charge). */
export function railsFor<R extends Pick<PlaygroundRail, 'acceptsPrice'>>(
  rails: readonly R[],
  price: string,
): R[] {
  return rails.filter((rail) => rail.acceptsPrice?.(price) ?? true);
}

export interface ApiServerOptions {
  /** Every paid route accepts each of these rails, in this order, paid to the rail's merchant. */
  rails: readonly Pick<
    PlaygroundRail,
    'scheme' | 'network' | 'server' | 'merchant' | 'acceptsPrice'
  >[];
  facilitatorUrl: string;
  routes: readonly PaidRouteSpec[];
  port: number;
  /** Served unpaid on `GET /`; a function because the manifest names this server's own URL. */
  manifest: () => object | undefined;
  /** Unpaid `POST` actions by path (the deferred rail's `/redeem`), answered with their JSON. */
  actions?: Readonly<Record<string, () => Promise<unknown>>>;
  onEvent?: (event: PaymentEvent) => void;
}

/** Runs one action; a failure is a 500 with its message (the playground is local: no secrets). */
async function runAction(action: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await action());
  } catch (error) {
    return Response.json(
      { error: 'action_failed', message: error instanceof Error ? error.message : String(error) },
      { status: 500 },
    );
  }
}

export function startApiServer(options: ApiServerOptions): Promise<FetchServer> {
  const resourceServer = createResourceServer({
    facilitator: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
    schemes: options.rails.map((rail) => rail.server),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // Built once per route: the engine caches requirements per `accepts` object.
  const paymentConfigs = new Map<PaidRouteSpec, RoutePaymentConfig>(
    options.routes.map((route) => [
      route,
      {
        accepts: railsFor(options.rails, route.price).map((rail) => ({
          scheme: rail.scheme,
          network: rail.network,
          price: route.price,
          payTo: rail.merchant.address,
        })),
        description: route.description,
        mimeType: 'application/json',
      },
    ]),
  );

  return serveFetch(
    (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/') {
        if (request.method !== 'GET') {
          return Response.json(
            { error: 'method_not_allowed' },
            { status: 405, headers: { allow: 'GET' } },
          );
        }
        const manifest = options.manifest();
        // Only in the moment between listen() and the manifest naming this server's URL.
        if (manifest === undefined) return Response.json({ error: 'starting' }, { status: 503 });
        return Response.json(manifest);
      }
      const action =
        options.actions && Object.hasOwn(options.actions, pathname)
          ? options.actions[pathname]
          : undefined;
      if (action) {
        if (request.method !== 'POST') {
          return Response.json(
            { error: 'method_not_allowed' },
            { status: 405, headers: { allow: 'POST' } },
          );
        }
        return runAction(action);
      }
      const route = options.routes.find((candidate) => candidate.path === pathname);
      const config = route && paymentConfigs.get(route);
      if (!route || !config) return Response.json({ error: 'not_found' }, { status: 404 });
      if (request.method !== route.method) {
        return Response.json(
          { error: 'method_not_allowed' },
          { status: 405, headers: { allow: route.method } },
        );
      }
      return resourceServer.handle(request, config, () => Response.json(route.respond()));
    },
    { host: PLAYGROUND_HOST, port: options.port },
  );
}

/** Where the MCP server answers (Streamable HTTP). */
export const MCP_PATH = '/mcp';

export interface McpServerOptions {
  /** Every paid tool accepts each of these rails, in this order, paid to the rail's merchant. */
  rails: readonly Pick<
    PlaygroundRail,
    'scheme' | 'network' | 'server' | 'merchant' | 'acceptsPrice'
  >[];
  facilitatorUrl: string;
  tools: readonly PaidToolSpec[];
  onEvent?: (event: PaymentEvent) => void;
}

/**
 * The paid MCP tools on Streamable HTTP at `POST /mcp` (free port). Stateless: each request gets
 * a fresh `McpServer` and transport, answered as plain JSON; the payments (and their ledger,
 * which claims each payment id once) are shared by all requests.
 */
export function startMcpServer(options: McpServerOptions): Promise<FetchServer> {
  const payments = createMcpPayments({
    facilitator: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
    schemes: options.rails.map((rail) => rail.server),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // Built once per tool, like the API's route configs.
  const toolPayments = new Map<PaidToolSpec, ToolPayment>(
    options.tools.map((tool) => [
      tool,
      {
        accepts: railsFor(options.rails, tool.price).map((rail) => ({
          scheme: rail.scheme,
          network: rail.network,
          price: tool.price,
          payTo: rail.merchant.address,
        })),
      },
    ]),
  );

  async function mcpServer(): Promise<McpServer> {
    const server = new McpServer({ name: 'x402-rails-playground', version: '0.0.0' });
    for (const [tool, payment] of toolPayments) {
      await payments.paidTool(
        server,
        tool.name,
        { description: tool.description, inputSchema: { city: z.string() }, payment },
        async ({ city }) => ({ content: [{ type: 'text', text: tool.respond({ city }) }] }),
      );
    }
    return server;
  }

  return serveFetch(
    async (request) => {
      if (new URL(request.url).pathname !== MCP_PATH) {
        return Response.json({ error: 'not_found' }, { status: 404 });
      }
      // Stateless: no session to resume, so no SSE stream on GET and nothing to DELETE.
      if (request.method !== 'POST') {
        return Response.json(
          { error: 'method_not_allowed' },
          { status: 405, headers: { allow: 'POST' } },
        );
      }
      const server = await mcpServer();
      // No sessionIdGenerator: stateless.
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
      await server.connect(transport);
      try {
        return await transport.handleRequest(request);
      } finally {
        // With JSON responses the answer is complete here.
        await server.close();
      }
    },
    { host: PLAYGROUND_HOST, port: 0 },
  );
}

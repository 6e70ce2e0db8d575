/**
 * What the adapter behaviour suite drives: the rails behind one paid route, a facilitator that
 * counts its calls and can be told to fail settlement, signed payments captured before use, and
 * raw HTTP requests whose path no client library normalizes.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  FacilitatorClient,
  PaymentRequirements,
  SchemeClient,
  SchemeFacilitator,
  SchemeServer,
  SettleResponse,
} from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import type { ResourceServer, RouteAccept, RoutePaymentConfig } from '@x402-rails/core/server';

/**
 * The fetch the suite sends with, taken when this module loads: a framework running in the same
 * process may replace `globalThis.fetch` (Next.js patches it for its data cache, and a body
 * cancelled through the patched fetch never settles), and the suite is a client, not the app.
 */
export const httpFetch: typeof fetch = globalThis.fetch;

/** A running app under test: its origin (`http://127.0.0.1:<port>`) and how to stop it. */
export interface AdapterApp {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * What the suite hands the adapter's factory. The app must serve, on 127.0.0.1 port 0, with
 * node's header limit raised to at least 128 KiB (so the engine's own 16 KiB cap answers, with a
 * reason, rather than node's bare 431):
 * - `GET /weather/:city` paid with `route` → 200 JSON `{ city, weather: 'sunny' }`, and CORS
 *   preflights (`OPTIONS`) of that path through the same middleware;
 * - `GET /forecast/:city` paid with `route` → 200 JSON `{ city, forecast: 'rain' }`;
 * - `GET /broken/:city` paid with `route` → 500 JSON `{ error: 'broken' }`;
 * - `GET /throws/:city` paid with `route` → the handler throws (the framework answers 500);
 * - `GET /stream/:city` paid with `route` → 200 text/plain streamed in `STREAM_CHUNKS`, each
 *   written separately after yielding to the event loop.
 */
export interface AdapterAppSetup {
  server: ResourceServer;
  route: RoutePaymentConfig;
}

export type StartAdapterApp = (setup: AdapterAppSetup) => Promise<AdapterApp>;

/** The chunks the streaming handler writes, in order. */
export const STREAM_CHUNKS: readonly string[] = ['chunk-one\n', 'chunk-two\n', 'chunk-three\n'];

/** Text that only a handler ever produces: a refusal must never contain it. */
export const HANDLER_MARKERS: readonly string[] = ['sunny', 'rain', 'chunk-', 'broken'];

/** One more rail for the suite's route, beside the toy rail (e.g. EVM on Anvil). */
export interface RailUnderTest {
  readonly name: string;
  readonly server: SchemeServer;
  readonly facilitator: SchemeFacilitator;
  readonly accept: RouteAccept;
  /** A client of this rail only, funded to pay the route a few times. */
  readonly payer: SchemeClient;
  stop(): Promise<void>;
}

export interface FacilitatorCalls {
  verify: number;
  settle: number;
  release: number;
}

/** Wraps a facilitator: counts calls; while `failSettle` is set, settlement fails without moving money. */
export function instrumentFacilitator(inner: FacilitatorClient) {
  const calls: FacilitatorCalls = { verify: 0, settle: 0, release: 0 };
  const control = { failSettle: false };
  const client: FacilitatorClient = {
    verify(payload, requirements, options) {
      calls.verify++;
      return inner.verify(payload, requirements, options);
    },
    async settle(payload, requirements, options): Promise<SettleResponse> {
      calls.settle++;
      if (control.failSettle) {
        return {
          success: false,
          errorReason: 'unexpected_settle_error',
          errorMessage: 'settlement failed on purpose (test)',
          transaction: '',
          network: requirements.network,
        };
      }
      return inner.settle(payload, requirements, options);
    },
    release(payload, requirements: PaymentRequirements, options) {
      calls.release++;
      return inner.release(payload, requirements, options);
    },
    supported: (options) => inner.supported(options),
  };
  return { client, calls, control };
}

export function facilitatorFor(rails: readonly SchemeFacilitator[]) {
  return instrumentFacilitator(createFacilitator({ schemes: rails }));
}

/**
 * Gets a signed, unused `PAYMENT-SIGNATURE` header for `url`: the client pays the real 402, but
 * its paid retry is caught here instead of being sent.
 */
export async function signPayment(url: string, payer: SchemeClient): Promise<string> {
  let captured: string | undefined;
  const agent = createPaymentClient({
    schemes: [payer],
    ambiguousRetries: 0,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const header = request.headers.get('payment-signature');
      if (header === null) return httpFetch(request);
      captured = header;
      return new Response('held', { status: 299 });
    },
  });
  await agent.fetch(url);
  if (captured === undefined) throw new Error(`No payment was made for ${url}`);
  return captured;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path sent byte for byte (fetch would normalize `%2e%2e` and friends). */
export function rawRequest(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Serves a node request listener on 127.0.0.1, a free port, with a 128 KiB header limit. */
export async function serveNode(listener: RequestListener): Promise<AdapterApp> {
  const server = createServer({ maxHeaderSize: 128 * 1024 }, listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Lets the event loop turn between two writes of a streaming handler. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

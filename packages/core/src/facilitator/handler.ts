/**
 * The facilitator's HTTP surface as one Fetch handler: `POST /verify`, `POST /settle`,
 * `POST /release` (x402-rails: voids a card hold), `GET /supported`, `GET /health`.
 */

import { jsonResponse, readBodyLimited, safeEqual } from '../body.js';
import type { FacilitatorClient } from '../facilitator-client.js';
import {
  describeSchemaIssue,
  type FacilitatorRequest,
  FacilitatorRequestSchema,
  type Network,
} from '../schemas.js';
import { failedSettlement } from '../settle-response.js';

export interface FacilitatorHandlerOptions {
  /** Path prefix the routes live under, e.g. `/facilitator` (default: none). */
  basePath?: string;
  /** When set, every call except `/health` needs `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Largest accepted request body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024;

const ROUTE_METHODS: Readonly<Record<string, 'GET' | 'POST'>> = {
  '/health': 'GET',
  '/supported': 'GET',
  '/verify': 'POST',
  '/settle': 'POST',
  '/release': 'POST',
};

type Parsed =
  | { ok: true; request: FacilitatorRequest }
  | { ok: false; message: string; network?: Network };

async function parseFacilitatorRequest(request: Request, limit: number): Promise<Parsed> {
  const text = await readBodyLimited(request, limit);
  if (text === undefined) return { ok: false, message: `body larger than ${limit} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'body is not JSON' };
  }
  const parsed = FacilitatorRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: describeSchemaIssue(parsed.error) };
  return { ok: true, request: parsed.data as FacilitatorRequest };
}

/**
 * @example
 * const handle = createFacilitatorHandler(createFacilitator({ schemes: [rail] }), { bearerToken: process.env.TOKEN });
 * Bun.serve({ fetch: handle }); // or any server that speaks Fetch
 */
export function createFacilitatorHandler(
  facilitator: FacilitatorClient,
  options: FacilitatorHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const expectedAuth = options.bearerToken ? `Bearer ${options.bearerToken}` : undefined;

  return async function handleFacilitatorRequest(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(`${base}/`)) return jsonResponse(404, { error: 'not_found' });
    const route = path.slice(base.length);
    // Unknown paths are 404 for everyone, so the answer says nothing about auth.
    const method = ROUTE_METHODS[route];
    if (!method) return jsonResponse(404, { error: 'not_found' });
    if (request.method !== method) {
      return jsonResponse(405, { error: 'method_not_allowed' }, { allow: method });
    }
    if (route === '/health') return jsonResponse(200, { status: 'ok' });
    if (expectedAuth && !safeEqual(request.headers.get('authorization') ?? '', expectedAuth)) {
      return jsonResponse(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    }
    if (route === '/supported') return jsonResponse(200, await facilitator.supported());

    const parsed = await parseFacilitatorRequest(request, limit);
    if (!parsed.ok) {
      if (route === '/settle') {
        return jsonResponse(
          400,
          failedSettlement({ network: 'unknown:unknown' }, 'invalid_payload', parsed.message),
        );
      }
      return jsonResponse(400, {
        isValid: false,
        invalidReason: 'invalid_payload',
        invalidMessage: parsed.message,
      });
    }
    const { paymentPayload, paymentRequirements } = parsed.request;
    const signal = request.signal;
    if (route === '/verify')
      return jsonResponse(
        200,
        await facilitator.verify(paymentPayload, paymentRequirements, { signal }),
      );
    // A caller hanging up must not abort a settlement half way: settle gets no signal.
    if (route === '/settle')
      return jsonResponse(200, await facilitator.settle(paymentPayload, paymentRequirements));
    try {
      await facilitator.release(paymentPayload, paymentRequirements, { signal });
      return jsonResponse(200, { released: true });
    } catch (error) {
      return jsonResponse(400, {
        released: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
}

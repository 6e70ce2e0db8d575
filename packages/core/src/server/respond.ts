/**
 * The responses the resource-server engine builds itself: refusals (402/400 with
 * `PAYMENT-REQUIRED`, a JSON or paywall body), CORS headers and preflights, and the payment
 * headers added to the handler's own response.
 */
import { jsonResponse } from '../body.js';
import { DEFAULT_DIALECT, type WireDialect } from '../codec-dialect.js';
import { describeReason } from '../errors.js';
import type { PaymentRequired, ResourceInfo } from '../schemas.js';
import type { CorsOptions, PaymentEvent } from './engine.js';
import { type PaywallOptions, renderPaywall } from './paywall.js';
import type { ResolvedOffer, RoutePaymentConfig } from './route.js';

/** Headers a browser client must be allowed to read. */
export const EXPOSED_PAYMENT_HEADERS = DEFAULT_DIALECT.exposedHeaders;

/** What every refusal of one request shares. */
export interface RefusalContext {
  request: Request;
  route: RoutePaymentConfig;
  resource: ResourceInfo;
  offers: readonly ResolvedOffer[];
  /** The x402 version the request speaks (default: version 2). */
  dialect?: WireDialect;
}

export interface ResponderOptions {
  cors?: CorsOptions;
  paywall?: false | PaywallOptions;
  emit: (event: PaymentEvent) => void;
}

/**
 * What `PaymentRequired.error` says. A refusal carries its reason code, as the official SDK's
 * servers send it and its clients read it (the batch-settlement client resynchronises only on
 * `…_cumulative_amount_mismatch` there); first contact, which refuses nothing, carries the
 * spec's human message. The human message of a refusal travels in the JSON body's `message`.
 */
export function paymentRequiredError(reason: string, message: string): string {
  return reason === 'payment_required' ? message : reason;
}

export function paymentRequiredBody(
  { route, resource, offers }: Omit<RefusalContext, 'request'>,
  error: string,
): PaymentRequired {
  return {
    x402Version: 2,
    error,
    resource,
    accepts: offers.map((o) => o.requirements),
    ...(route.extensions ? { extensions: route.extensions } : {}),
  };
}

function setHeaders(headers: Headers, extra: Record<string, string>): void {
  for (const [name, value] of Object.entries(extra)) {
    const existing = name === 'access-control-expose-headers' ? headers.get(name) : null;
    headers.set(name, existing ? `${existing}, ${value}` : value);
  }
}

export function createResponder(options: ResponderOptions) {
  function corsHeaders(
    request: Request,
    exposed: string = EXPOSED_PAYMENT_HEADERS,
  ): Record<string, string> {
    const headers: Record<string, string> = { 'access-control-expose-headers': exposed };
    const origin = request.headers.get('origin');
    if (options.cors && origin) {
      const allow = options.cors.allowOrigin;
      if (allow === '*') headers['access-control-allow-origin'] = '*';
      else if (typeof allow === 'string' ? allow === origin : allow(origin)) {
        headers['access-control-allow-origin'] = origin;
        headers['vary'] = 'Origin';
      }
    }
    return headers;
  }

  return {
    corsHeaders,

    /** Answers a CORS preflight of a paid route, allowing the payment header. */
    preflight(request: Request): Response {
      return new Response(null, {
        status: 204,
        headers: {
          ...corsHeaders(request),
          'access-control-allow-headers':
            request.headers.get('access-control-request-headers') ??
            'PAYMENT-SIGNATURE, Content-Type',
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-max-age': '600',
        },
      });
    },

    /** A refusal: status from the reason table, the dialect's headers, HTML or its JSON body. */
    refuse(
      context: RefusalContext,
      reason: string,
      message: string = describeReason(reason).message,
      extra: { headers?: Record<string, string>; status?: number } = {},
    ): Response {
      const { request, route, resource, offers } = context;
      const dialect = context.dialect ?? DEFAULT_DIALECT;
      const status = extra.status ?? describeReason(reason).status;
      const answer = dialect.refusal(
        paymentRequiredBody(context, paymentRequiredError(reason, message)),
        reason,
        message,
      );
      const headers: Record<string, string> = {
        ...corsHeaders(request, dialect.exposedHeaders),
        ...answer.headers,
        'cache-control': 'no-store',
        ...extra.headers,
      };
      if (reason !== 'payment_required') {
        options.emit({ type: 'rejected', resource: resource.url, reason, status });
      }
      const wantsHtml =
        options.paywall !== false &&
        status === 402 &&
        (request.headers.get('accept') ?? '').includes('text/html');
      if (wantsHtml) {
        const html = renderPaywall({
          ...(route.description ? { description: route.description } : {}),
          ...(route.mimeType ? { mimeType: route.mimeType } : {}),
          // Only a configured URL: one derived from the request would echo its path.
          ...(typeof route.resource === 'string' ? { resource: route.resource } : {}),
          offers,
          ...(options.paywall ? { options: options.paywall } : {}),
        });
        return new Response(html, {
          status,
          headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return jsonResponse(status, answer.body, headers);
    },

    /** Adds headers to a response: in place when they are mutable, else on a copy (body untouched). */
    withHeaders(response: Response, extra: Record<string, string>): Response {
      try {
        setHeaders(response.headers, extra);
        return response;
      } catch {
        // Immutable headers (a Response from fetch()): copy into a new Response.
      }
      const headers = new Headers(response.headers);
      setHeaders(headers, extra);
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    },
  };
}

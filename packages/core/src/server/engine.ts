import { DEFAULT_MAX_HEADER_BYTES } from '../codec.js';
import { negotiateDialect } from '../codec-dialect.js';
import { LedgerTransitionError, PayloadDecodeError } from '../errors.js';
import type { FacilitatorClient } from '../facilitator-client.js';
import { createMemoryLedger, type PaymentLedger, type PaymentState } from '../ledger.js';
import { SchemeRegistry } from '../registry.js';
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
} from '../schemas.js';
import type { SchemeServer } from '../scheme.js';
import { createPaymentLifecycle } from './lifecycle.js';
import type { PaywallOptions } from './paywall.js';
import { createResponder, paymentRequiredBody, type RefusalContext } from './respond.js';
import {
  createOfferResolver,
  type ResolvedOffer,
  type RoutePaymentConfig,
  resourceUrlOf,
} from './route.js';

export type PaymentEvent =
  | { type: 'payment_required'; resource: string }
  | { type: 'rejected'; resource: string; reason: string; status: number; paymentId?: string }
  | { type: 'verified'; resource: string; paymentId: string; payer?: string }
  | {
      type: 'settled';
      resource: string;
      paymentId: string;
      requirements: ResolvedOffer['requirements'];
      settlement: SettleResponse;
    }
  | { type: 'settle_failed'; resource: string; paymentId: string; reason: string }
  | { type: 'released'; resource: string; paymentId: string; reason: string }
  | { type: 'release_failed'; resource: string; paymentId: string; error: string }
  | {
      type: 'recovered';
      resource: string;
      paymentId: string;
      from: PaymentState;
      to: PaymentState;
    };

export interface CorsOptions {
  /** `*`, one origin, or a predicate. */
  allowOrigin: string | ((origin: string) => boolean);
}

export interface ResourceServerOptions {
  facilitator: FacilitatorClient;
  /** The server roles of the rails this deployment offers. */
  schemes: Iterable<SchemeServer> | SchemeRegistry<SchemeServer>;
  /**
   * Where payment ids are claimed. Default: an in-memory ledger, which holds only within one
   * process; use `@x402-rails/store` when several instances serve the same routes.
   */
  ledger?: PaymentLedger;
  /** Cap on the `PAYMENT-SIGNATURE` header, checked before decoding (default 16 KiB). */
  maxHeaderBytes?: number;
  /** HTML page for browsers (`Accept: text/html`); `false` turns it off. */
  paywall?: false | PaywallOptions;
  /** Answer CORS preflights of paid routes and allow the payment headers. */
  cors?: CorsOptions;
  /** Called on every payment state change, synchronously; must not throw. */
  onEvent?: (event: PaymentEvent) => void;
}

export type PaidHandler = (request: Request) => Response | Promise<Response>;

export interface ResourceServer {
  /** Runs one request through the paid-request lifecycle. */
  handle(request: Request, route: RoutePaymentConfig, handler: PaidHandler): Promise<Response>;
  /**
   * Settles the fate of requests a crash interrupted: ledger rows still `claimed` or `verified`
   * after `olderThanMs` (default 10 minutes, which must exceed the slowest handler + settlement).
   * `claimed` → `released` (verify never finished: nothing was paid, the payment may be used
   * again); `verified` → `failed` (a settlement may have happened: the payment is never served
   * again, and the facilitator's journal holds the truth). Run it at start and periodically.
   */
  recover(options?: {
    olderThanMs?: number;
    limit?: number;
    now?: number;
  }): Promise<{ released: number; failed: number }>;
  /** The `PaymentRequired` a request to this route would be answered with. */
  paymentRequired(request: Request, route: RoutePaymentConfig): Promise<PaymentRequired>;
  readonly ledger: PaymentLedger;
}

/**
 * @example
 * const server = createResourceServer({ facilitator, schemes: [toy.server] });
 * const route = { accepts: { scheme: 'exact', network: 'toy:local', price: '$0.01', payTo: merchant } };
 * const response = await server.handle(request, route, () => Response.json({ weather: 'sunny' }));
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const registry =
    options.schemes instanceof SchemeRegistry
      ? options.schemes
      : new SchemeRegistry<SchemeServer>(options.schemes);
  const ledger = options.ledger ?? createMemoryLedger();
  const offersFor = createOfferResolver(registry);
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const emit = options.onEvent ?? (() => {});
  const lifecycle = createPaymentLifecycle({ facilitator: options.facilitator, ledger, emit });
  const respond = createResponder({
    emit,
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.paywall !== undefined ? { paywall: options.paywall } : {}),
  });

  function resourceInfo(route: RoutePaymentConfig, request: Request): ResourceInfo {
    return {
      url: resourceUrlOf(route, request),
      ...(route.description !== undefined ? { description: route.description } : {}),
      ...(route.mimeType !== undefined ? { mimeType: route.mimeType } : {}),
    };
  }

  async function handle(
    request: Request,
    route: RoutePaymentConfig,
    handler: PaidHandler,
  ): Promise<Response> {
    const isPreflight =
      request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
    if (options.cors && isPreflight) return respond.preflight(request);
    const resource = resourceInfo(route, request);
    const offers = await offersFor(route, request);
    // The x402 version is the dialect's business alone: it decodes and encodes, the engine does not branch.
    const { dialect, header } = negotiateDialect(request);
    const context: RefusalContext = { request, route, resource, offers, dialect };
    if (header === null) {
      emit({ type: 'payment_required', resource: resource.url });
      return respond.refuse(context, 'payment_required', 'PAYMENT-SIGNATURE header is required');
    }

    let payload: PaymentPayload;
    try {
      payload = dialect.decodePayment(header, offers, { maxBytes: maxHeaderBytes });
    } catch (error) {
      if (error instanceof PayloadDecodeError)
        return respond.refuse(context, error.code, error.message);
      throw error;
    }

    const admission = await lifecycle.admit(payload, offers, resource.url);
    if (!admission.ok) {
      const refused = await amendedByRail(context, payload, admission);
      return respond.refuse(refused.context, refused.reason, admission.message);
    }
    const { payment } = admission;

    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      await lifecycle.release(payment, 'handler_threw');
      throw error;
    }
    if (response.status >= 400) {
      await lifecycle.release(payment, `handler_status_${response.status}`);
      return respond.withHeaders(response, respond.corsHeaders(request, dialect.exposedHeaders));
    }

    const outcome = await lifecycle.settle(payment);
    if (!outcome.ok) {
      // Nothing of the handler's body reaches the client when the payment did not settle.
      await response.body?.cancel().catch(() => {});
      // A payment that did not settle is a 402 whatever the cause, with the failed settlement attached.
      return respond.refuse(context, outcome.reason, outcome.message, {
        status: 402,
        headers: dialect.settlementHeaders(outcome.settlement),
      });
    }
    return respond.withHeaders(response, {
      ...respond.corsHeaders(request, dialect.exposedHeaders),
      ...dialect.settlementHeaders(outcome.settlement),
    });
  }

  /**
   * The refusal's offers, with the matched rail's amended requirements (a corrective 402), and its
   * reason as the rail's binding names it.
   */
  async function amendedByRail(
    context: RefusalContext,
    payload: PaymentPayload,
    refusal: { reason: string; offer?: ResolvedOffer },
  ): Promise<{ context: RefusalContext; reason: string }> {
    const offer = refusal.offer;
    if (!offer) return { context, reason: refusal.reason };
    const asked = { reason: refusal.reason, payload, requirements: offer.requirements };
    let reason = refusal.reason;
    try {
      reason = offer.rail.refusalReason?.(asked) ?? refusal.reason;
    } catch {
      // the rail's own reason stays
    }
    if (!offer.rail.refusalRequirements) return { context, reason };
    let amended: PaymentRequirements | undefined;
    try {
      amended = await offer.rail.refusalRequirements(asked);
    } catch {
      return { context, reason }; // the plain refusal still answers the client
    }
    if (!amended) return { context, reason };
    const requirements = amended;
    return {
      context: {
        ...context,
        offers: context.offers.map((o) => (o === offer ? { ...o, requirements } : o)),
      },
      reason,
    };
  }

  async function recover(recovery: { olderThanMs?: number; limit?: number; now?: number } = {}) {
    const before = (recovery.now ?? Date.now()) - (recovery.olderThanMs ?? 10 * 60_000);
    const counts = { released: 0, failed: 0 };
    for (const record of await ledger.stale(before, recovery.limit ?? 1000)) {
      const to = record.state === 'claimed' ? 'released' : 'failed';
      const reason =
        record.state === 'claimed' ? 'interrupted_before_verify' : 'interrupted_after_verify';
      try {
        await ledger.transition(record.paymentId, record.state, to, { reason });
      } catch (error) {
        if (error instanceof LedgerTransitionError) continue; // another instance got there first
        throw error;
      }
      counts[to]++;
      emit({
        type: 'recovered',
        resource: record.resource,
        paymentId: record.paymentId,
        from: record.state,
        to,
      });
    }
    return counts;
  }

  return {
    handle,
    ledger,
    recover,
    async paymentRequired(request, route) {
      const offers = await offersFor(route, request);
      return paymentRequiredBody(
        { route, resource: resourceInfo(route, request), offers },
        'PAYMENT-SIGNATURE header is required',
      );
    },
  };
}

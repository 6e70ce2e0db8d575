/**
 * Route payment configuration and how it becomes the `accepts` list of one request.
 */
import { ConfigError } from '../errors.js';
import type { SchemeRegistry } from '../registry.js';
import {
  describeSchemaIssue,
  type Extensions,
  type Network,
  type PaymentRequirements,
  PaymentRequirementsSchema,
} from '../schemas.js';
import type { PriceInput, SchemeServer } from '../scheme.js';

/** A human price in the rail's default asset (`"$0.01"`, `"0.01"`, `0.01`), or an atomic amount of an asset. */
export type PriceSpec =
  | string
  | number
  | { amount: string | bigint; asset: string; extra?: Record<string, unknown> };

type OrFromRequest<T> = T | ((request: Request) => T | Promise<T>);

/** One rail a route accepts. */
export interface RouteAccept {
  scheme: string;
  network: Network;
  price: OrFromRequest<PriceSpec>;
  payTo: OrFromRequest<string>;
  /** Overrides the route's `maxTimeoutSeconds` for this rail. */
  maxTimeoutSeconds?: number;
  /** Scheme-specific extra merged into the requirements. */
  extra?: Record<string, unknown>;
}

export interface RoutePaymentConfig {
  /** The rails this route accepts, in the order clients should prefer them. */
  accepts: RouteAccept | readonly RouteAccept[];
  description?: string;
  mimeType?: string;
  /** The resource URL announced and bound to payments (default: request origin + path, no query). */
  resource?: string | ((request: Request) => string);
  /** Default 60. */
  maxTimeoutSeconds?: number;
  extensions?: Extensions;
}

export interface ResolvedOffer {
  requirements: PaymentRequirements;
  rail: SchemeServer;
}

const DEFAULT_MAX_TIMEOUT_SECONDS = 60;

function toPriceInput(price: PriceSpec): PriceInput {
  if (typeof price === 'string' || typeof price === 'number') return { money: price };
  if (price && typeof price === 'object' && typeof price.asset === 'string') {
    return {
      atomic: {
        amount: price.amount,
        asset: price.asset,
        ...(price.extra ? { extra: price.extra } : {}),
      },
    };
  }
  throw new ConfigError('A price must be "$0.01", 0.01, or { amount, asset }', {
    price: String(price),
  });
}

const resolve = <T>(value: OrFromRequest<T>, request: Request): T | Promise<T> =>
  typeof value === 'function' ? (value as (r: Request) => T | Promise<T>)(request) : value;

export function acceptsOf(route: RoutePaymentConfig): readonly RouteAccept[] {
  const list = Array.isArray(route.accepts) ? route.accepts : [route.accepts as RouteAccept];
  if (list.length === 0) throw new ConfigError('A paid route must accept at least one rail');
  return list;
}

function isStatic(accept: RouteAccept, rail: SchemeServer): boolean {
  return (
    typeof accept.price !== 'function' &&
    typeof accept.payTo !== 'function' &&
    rail.staticRequirements !== false
  );
}

/**
 * Builds the offers of a route for one request. Requirements that depend on nothing but the
 * configuration are built once per `RouteAccept` object and reused.
 */
export function createOfferResolver(registry: SchemeRegistry<SchemeServer>) {
  const cache = new WeakMap<RouteAccept, Promise<ResolvedOffer>>();

  async function build(
    accept: RouteAccept,
    route: RoutePaymentConfig,
    request: Request,
  ): Promise<ResolvedOffer> {
    const rail = registry.resolve(accept.scheme, accept.network);
    if (!rail) {
      throw new ConfigError(
        `No rail is registered for scheme "${accept.scheme}" on ${accept.network}`,
        {
          scheme: accept.scheme,
          network: accept.network,
        },
      );
    }
    const [price, payTo] = await Promise.all([
      resolve(accept.price, request),
      resolve(accept.payTo, request),
    ]);
    if (typeof payTo !== 'string' || payTo.length === 0)
      throw new ConfigError('payTo must be a non-empty string');
    const requirements = await rail.requirements({
      scheme: accept.scheme,
      network: accept.network,
      price: toPriceInput(price),
      payTo,
      maxTimeoutSeconds:
        accept.maxTimeoutSeconds ?? route.maxTimeoutSeconds ?? DEFAULT_MAX_TIMEOUT_SECONDS,
      ...(accept.extra ? { extra: accept.extra } : {}),
      request,
    });
    const checked = PaymentRequirementsSchema.safeParse(requirements);
    if (!checked.success) {
      throw new ConfigError(
        `Rail "${accept.scheme}" built invalid requirements: ${describeSchemaIssue(checked.error)}`,
      );
    }
    return { requirements, rail };
  }

  return function offersFor(route: RoutePaymentConfig, request: Request): Promise<ResolvedOffer[]> {
    return Promise.all(
      acceptsOf(route).map((accept) => {
        const rail = registry.resolve(accept.scheme, accept.network);
        if (!rail || !isStatic(accept, rail)) return build(accept, route, request);
        let cached = cache.get(accept);
        if (!cached) {
          cached = build(accept, route, request);
          // A failed build is not cached: the next request reports the same error afresh.
          cached.catch(() => cache.delete(accept));
          cache.set(accept, cached);
        }
        return cached;
      }),
    );
  };
}

/** The resource URL of a request: configured, or origin + path (never the query, never the fragment). */
export function resourceUrlOf(route: RoutePaymentConfig, request: Request): string {
  if (typeof route.resource === 'string') return route.resource;
  if (typeof route.resource === 'function') return route.resource(request);
  // request.url is already a serialized URL (and never carries credentials), so cutting at the
  // query or fragment gives origin + path without parsing it again.
  const url = request.url;
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

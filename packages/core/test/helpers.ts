/** Shared fixtures for the engine tests: a toy deployment wired through the real core engines. */

import { createToyRail, createToyWallet, type ToyRail } from '@x402-rails/testkit';
import { createFacilitator, type Facilitator } from '../src/facilitator.js';
import {
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeClient,
} from '../src/index.js';
import {
  createResourceServer,
  type ResourceServerOptions,
  type RoutePaymentConfig,
} from '../src/server.js';

export interface Deployment {
  toy: ToyRail;
  merchant: string;
  facilitator: Facilitator;
  calls: { verify: number; settle: number; release: number };
  server: ReturnType<typeof createResourceServer>;
  route: RoutePaymentConfig;
}

/** A resource server on the toy rail whose facilitator counts its calls. */
export function deploy(
  options: { holds?: boolean; server?: Partial<ResourceServerOptions> } = {},
): Deployment {
  const toy = createToyRail({ ...(options.holds !== undefined ? { holds: options.holds } : {}) });
  const merchant = createToyWallet().address;
  const inner = createFacilitator({ schemes: [toy.facilitator] });
  const calls = { verify: 0, settle: 0, release: 0 };
  const facilitator: Facilitator = {
    registry: inner.registry,
    reconcile: (limit) => inner.reconcile(limit),
    supported: () => inner.supported(),
    verify: (p, r, o) => {
      calls.verify++;
      return inner.verify(p, r, o);
    },
    settle: (p, r, o) => {
      calls.settle++;
      return inner.settle(p, r, o);
    },
    release: (p, r, o) => {
      calls.release++;
      return inner.release(p, r, o);
    },
  };
  const server = createResourceServer({ facilitator, schemes: [toy.server], ...options.server });
  const route: RoutePaymentConfig = {
    accepts: { scheme: 'exact', network: toy.network, price: '$0.01', payTo: merchant },
    description: 'Weather report',
    mimeType: 'application/json',
  };
  return { toy, merchant, facilitator, calls, server, route };
}

/** Asks the server what it wants for `url`, and pays the first offer with `client`. */
export async function paymentHeader(
  d: Deployment,
  url: string,
  client: SchemeClient,
  route = d.route,
): Promise<{ header: string; payload: PaymentPayload }> {
  const unpaid = await d.server.handle(new Request(url), route, () => new Response('unreachable'));
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  const requirements = required.accepts[0];
  if (!requirements) throw new Error('no offer');
  const created = await client.create({ requirements, resource: required.resource });
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: required.resource,
    accepted: requirements,
    payload: created.payload,
  };
  return { header: encodePaymentSignatureHeader(payload), payload };
}

export const paid = (url: string, header: string, init: RequestInit = {}) =>
  new Request(url, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string> | undefined),
      'payment-signature': header,
    },
  });

/**
 * A funded toy payer and requirements for facilitator-level tests (no resource server):
 * `pay()` makes a fresh payment each call.
 */
export function toyPayer(toy: ToyRail) {
  const { client } = toy.fundedClient(1_000_000n);
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: toy.network,
    amount: '10000',
    asset: 'TOY',
    payTo: createToyWallet().address,
    maxTimeoutSeconds: 60,
  };
  const pay = async (): Promise<PaymentPayload> => ({
    x402Version: 2,
    accepted: requirements,
    payload: (await client.create({ requirements, resource: { url: 'http://127.0.0.1/r' } }))
      .payload,
  });
  return { requirements, pay };
}

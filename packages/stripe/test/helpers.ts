/** A Stripe card rail on the local Stripe double: all three roles, and the SDK for inspection. */
import type { PaymentPayload, PaymentRequirements, ResourceInfo } from '@x402-rails/core';
import {
  type PaymentIntentRecord,
  type StripeDouble,
  startStripeDouble,
} from '@x402-rails/testkit/stripe';
import Stripe from 'stripe';
import { createStripeCardClient } from '../src/client.js';
import {
  createStripeCardFacilitator,
  type StripeCardFacilitatorOptions,
} from '../src/facilitator.js';
import { createStripeCardServer } from '../src/server.js';

export const RESOURCE: ResourceInfo = { url: 'http://127.0.0.1/paid', description: 'test' };

export async function rig(options: Partial<StripeCardFacilitatorOptions> = {}) {
  const double = await startStripeDouble();
  const { account } = double;
  const connection = { ...double.connection, maxNetworkRetries: 0 };
  const stripe = new Stripe(account.secretKey, connection);
  const server = createStripeCardServer({ publishableKey: account.publishableKey });
  const facilitator = createStripeCardFacilitator({
    secretKey: account.secretKey,
    accountId: account.id,
    connection,
    ...options,
  });
  const requirements = (
    price: string | number = '$1.00',
    maxTimeoutSeconds = 60,
  ): PaymentRequirements =>
    server.requirements({
      scheme: 'shared-payment-token',
      network: 'stripe:test',
      price: { money: price },
      payTo: account.id,
      maxTimeoutSeconds,
      request: new Request(RESOURCE.url),
    }) as PaymentRequirements;
  /** A payment with a given credential (a test PaymentMethod such as `pm_card_visa` by default). */
  const pay = async (
    credential = 'pm_card_visa',
    req = requirements(),
  ): Promise<PaymentPayload> => {
    const client = createStripeCardClient({ credential: async () => credential });
    const created = await client.create({ requirements: req, resource: RESOURCE });
    return { x402Version: 2, resource: RESOURCE, accepted: req, payload: created.payload };
  };
  /** The fingerprint (the double's payer identity) of a test card. */
  const fingerprintOf = async (token = 'tok_visa') => {
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token } });
    return pm.card?.fingerprint as string;
  };
  const grantToken = async (limits: { max_amount?: number; expires_at?: number } = {}) => {
    const token = (await stripe.rawRequest(
      'POST',
      '/v1/test_helpers/shared_payment/granted_tokens',
      {
        payment_method: 'pm_card_visa',
        usage_limits: {
          currency: 'usd',
          max_amount: limits.max_amount ?? 10_000,
          expires_at: limits.expires_at ?? double.now() + 3600,
        },
      },
    )) as unknown as { id: string };
    return token.id;
  };
  return {
    double,
    stripe,
    server,
    facilitator,
    connection,
    requirements,
    pay,
    fingerprintOf,
    grantToken,
    close: () => double.close(),
  };
}

export type Rig = Awaited<ReturnType<typeof rig>>;

export function paymentIntentOf(double: StripeDouble, id: string): PaymentIntentRecord {
  const pi = double.bank.paymentIntents.get(id);
  if (!pi) throw new Error(`no PaymentIntent ${id}`);
  return pi;
}

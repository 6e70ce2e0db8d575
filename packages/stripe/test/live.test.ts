/**
 * The rail against Stripe itself, in test mode. Runs only when STRIPE_SECRET_KEY is a test-mode
 * secret key (`sk_test_...`); fails at once with a live key (these tests move money); skipped
 * otherwise (CI has no key and no Stripe).
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStripeCardClient } from '../src/client.js';
import { createStripeCardFacilitator, type StripeCardFacilitator } from '../src/facilitator.js';

const key = process.env['STRIPE_SECRET_KEY'] ?? '';
const live = /^(sk|rk)_live_/.test(key);

describe('live-key guard', () => {
  it('refuses to run the live Stripe tests with a live key', () => {
    expect(live, 'STRIPE_SECRET_KEY is a LIVE key: the live tests only ever run in test mode').toBe(
      false,
    );
  });
});

describe.skipIf(live || !key.startsWith('sk_test_'))('live Stripe, test mode', () => {
  let stripe: Stripe;
  let facilitator: StripeCardFacilitator;
  let requirements: PaymentRequirements;

  beforeAll(async () => {
    stripe = new Stripe(key);
    const account = await stripe.accounts.retrieveCurrent();
    facilitator = createStripeCardFacilitator({ secretKey: key, accountId: account.id });
    requirements = {
      scheme: 'shared-payment-token',
      network: 'stripe:test',
      amount: '100',
      asset: 'usd',
      payTo: account.id,
      maxTimeoutSeconds: 300,
    };
  });

  async function pay(paymentMethod = 'pm_card_visa'): Promise<PaymentPayload> {
    const client = createStripeCardClient({
      credential: async () => paymentMethod,
      networks: ['stripe:test'],
    });
    const resource = { url: 'https://example.test/live' };
    const { payload } = await client.create({ requirements, resource });
    return { x402Version: 2, resource, accepted: requirements, payload };
  }

  it('authorize → capture → refund', async () => {
    const payment = await pay();
    expect((await facilitator.verify(payment, requirements)).isValid).toBe(true);
    const settled = await facilitator.settle(payment, requirements);
    expect(settled).toMatchObject({ success: true, amount: '100' });
    expect((await stripe.paymentIntents.retrieve(settled.transaction)).status).toBe('succeeded');
    const refund = await facilitator.refund({ transaction: settled.transaction });
    expect(refund.amount).toBe('100');
    expect(await facilitator.status?.(payment, requirements)).toMatchObject({ state: 'settled' });
  });

  it('authorize → cancel', async () => {
    const payment = await pay();
    const verified = await facilitator.verify(payment, requirements);
    expect(verified.isValid).toBe(true);
    await facilitator.release(payment, requirements);
    expect(await facilitator.settle(payment, requirements)).toMatchObject({
      success: false,
      errorReason: 'card_authorization_canceled',
    });
  });

  it('a decline', async () => {
    const declined = await facilitator.verify(
      await pay('pm_card_visa_chargeDeclinedInsufficientFunds'),
      requirements,
    );
    expect(declined).toMatchObject({ isValid: false, invalidReason: 'insufficient_funds' });
    const generic = await facilitator.verify(await pay('pm_card_chargeDeclined'), requirements);
    expect(generic).toMatchObject({ isValid: false, invalidReason: 'card_declined' });
  });

  it('idempotency: the same payment id replays; with other terms it clashes', async () => {
    const payment = await pay();
    expect((await facilitator.verify(payment, requirements)).isValid).toBe(true);
    const elsewhere = createStripeCardFacilitator({
      secretKey: key,
      accountId: requirements.payTo,
    });
    expect((await elsewhere.verify(payment, requirements)).isValid).toBe(true);
    const other = {
      ...payment,
      payload: { ...payment.payload, paymentMethod: 'pm_card_mastercard' },
    };
    expect(await elsewhere.verify(other, requirements)).toMatchObject({
      isValid: false,
      invalidReason: 'payment_id_conflict',
    });
    await facilitator.release(payment, requirements);
  });
});

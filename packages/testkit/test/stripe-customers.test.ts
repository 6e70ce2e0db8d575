/** The Stripe double's customers and off-session charges of saved cards, through the real SDK. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeDouble, startStripeDouble, testCardFingerprint } from '../src/stripe.js';

let double: StripeDouble;
let stripe: Stripe;

beforeAll(async () => {
  double = await startStripeDouble();
  stripe = new Stripe(double.account.secretKey, { ...double.connection, maxNetworkRetries: 0 });
});
afterAll(async () => {
  await double.close();
});

const offSession = (customer: string, payment_method: string, key?: string) =>
  stripe.paymentIntents.create(
    { amount: 75, currency: 'usd', customer, payment_method, off_session: true, confirm: true },
    key ? { idempotencyKey: key } : {},
  );

describe('customers and saved cards', () => {
  it('creates and retrieves a customer', async () => {
    const made = await stripe.customers.create({ email: 'buyer@example.com', name: 'Buyer' });
    expect(made.id).toMatch(/^cus_/);
    const found = await stripe.customers.retrieve(made.id);
    expect(found).toMatchObject({ id: made.id, email: 'buyer@example.com' });
    await expect(stripe.customers.retrieve('cus_nope')).rejects.toMatchObject({
      code: 'resource_missing',
    });
  });

  it('charges a saved card off session, automatically captured', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(pm.customer).toBe(customer.id);
    const before = double.balanceOf(double.account.id);
    const pi = await offSession(customer.id, pm.id);
    expect(pi).toMatchObject({ status: 'succeeded', customer: customer.id, amount_received: 75 });
    expect(double.balanceOf(double.account.id) - before).toBe(75);
    expect(double.balanceOf(testCardFingerprint('pm_card_visa') ?? '')).toBeLessThan(0);
  });

  it('declines a card that saves but cannot be charged, and one needing authentication', async () => {
    const customer = await stripe.customers.create({});
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    await expect(offSession(customer.id, failing.id)).rejects.toMatchObject({
      type: 'StripeCardError',
      decline_code: 'generic_decline',
    });
    const sca = await stripe.paymentMethods.attach('pm_card_authenticationRequired', {
      customer: customer.id,
    });
    await expect(offSession(customer.id, sca.id)).rejects.toMatchObject({
      code: 'authentication_required',
    });
  });

  it('refuses a card saved to another customer, and off_session without confirm', async () => {
    const a = await stripe.customers.create({});
    const b = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: a.id });
    await expect(offSession(b.id, pm.id)).rejects.toMatchObject({ param: 'payment_method' });
    await expect(stripe.paymentMethods.attach(pm.id, { customer: b.id })).rejects.toMatchObject({
      code: 'payment_method_already_attached',
    });
    await expect(
      stripe.paymentIntents.create({
        amount: 75,
        currency: 'usd',
        customer: a.id,
        payment_method: pm.id,
        off_session: true,
      }),
    ).rejects.toMatchObject({ param: 'off_session' });
  });

  it('replays an off-session charge whose reply was lost', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    double.fail({ status: 500, path: /^\/v1\/payment_intents$/, afterHandling: true });
    await expect(offSession(customer.id, pm.id, 'charge-1')).rejects.toMatchObject({
      statusCode: 500,
    });
    // Stripe stored the 500 under the key: the same key answers it again, and nothing more is charged.
    const before = double.balanceOf(double.account.id);
    await expect(offSession(customer.id, pm.id, 'charge-1')).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(double.balanceOf(double.account.id)).toBe(before);
  });

  it('replays the real answer when only the reply was lost (storeHandled)', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    double.fail({
      status: 500,
      path: /^\/v1\/payment_intents$/,
      afterHandling: true,
      storeHandled: true,
    });
    const before = double.balanceOf(double.account.id);
    await expect(offSession(customer.id, pm.id, 'charge-2')).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(double.balanceOf(double.account.id) - before).toBe(75);
    const replayed = await offSession(customer.id, pm.id, 'charge-2');
    expect(replayed.status).toBe('succeeded');
    expect(double.balanceOf(double.account.id) - before).toBe(75);
  });
});

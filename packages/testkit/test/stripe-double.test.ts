/** The Stripe double, driven only through the real `stripe` SDK. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertStripeShape,
  type StripeDouble,
  StripeShapeError,
  startStripeDouble,
} from '../src/stripe.js';

let double: StripeDouble;
let stripe: Stripe;

beforeAll(async () => {
  double = await startStripeDouble();
  stripe = new Stripe(double.account.secretKey, { ...double.connection, maxNetworkRetries: 0 });
});
afterAll(async () => {
  await double.close();
});

const authorize = (
  payment_method: string,
  extra: Partial<Stripe.PaymentIntentCreateParams> = {},
  key?: string,
) =>
  stripe.paymentIntents.create(
    {
      amount: 500,
      currency: 'usd',
      payment_method,
      confirm: true,
      capture_method: 'manual',
      error_on_requires_action: true,
      allowed_payment_method_types: ['card'],
      ...extra,
    },
    key ? { idempotencyKey: key } : {},
  );

async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected a Stripe error');
}

describe('PaymentIntents', () => {
  it('authorizes, captures and refunds, moving money only on capture', async () => {
    const pi = await authorize('pm_card_visa');
    expect(pi.status).toBe('requires_capture');
    expect(pi.amount_capturable).toBe(500);
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    const payer = pm.card?.fingerprint as string;
    const before = { payer: double.balanceOf(payer), payee: double.balanceOf(double.account.id) };
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_capture');
    expect(double.balanceOf(double.account.id)).toBe(before.payee);

    const captured = await stripe.paymentIntents.capture(pi.id);
    expect(captured).toMatchObject({
      status: 'succeeded',
      amount_received: 500,
      amount_capturable: 0,
    });
    expect(double.balanceOf(double.account.id)).toBe(before.payee + 500);
    expect(double.balanceOf(payer)).toBe(before.payer - 500);

    const again = await stripeError(stripe.paymentIntents.capture(pi.id));
    expect(again.code).toBe('payment_intent_unexpected_state');
    expect(again.statusCode).toBe(400);

    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 200 });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 200, payment_intent: pi.id });
    expect(double.balanceOf(double.account.id)).toBe(before.payee + 300);
    const over = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 400 }));
    expect(over.code).toBe('amount_too_large');
  });

  it('cancels a hold, and refuses to capture it afterwards', async () => {
    const pi = await authorize('pm_card_mastercard');
    const canceled = await stripe.paymentIntents.cancel(pi.id, {
      cancellation_reason: 'abandoned',
    });
    expect(canceled).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'abandoned',
      amount_capturable: 0,
    });
    expect((await stripeError(stripe.paymentIntents.capture(pi.id))).code).toBe(
      'payment_intent_unexpected_state',
    );
    expect((await stripeError(stripe.paymentIntents.cancel(pi.id))).code).toBe(
      'payment_intent_unexpected_state',
    );
  });

  it('voids an uncaptured authorization after 7 days', async () => {
    const pi = await authorize('pm_card_visa');
    double.advanceTime(7 * 24 * 3600);
    try {
      expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({
        status: 'canceled',
        cancellation_reason: 'automatic',
      });
    } finally {
      double.advanceTime(-7 * 24 * 3600);
    }
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'],
    ['pm_card_authenticationRequired', 'authentication_required', 'authentication_required'],
  ])(
    'declines %s as a 402 card error (%s / %s) with the PaymentIntent',
    async (pm, code, decline) => {
      const error = await stripeError(authorize(pm));
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({
        statusCode: 402,
        type: 'StripeCardError',
        code,
        decline_code: decline,
      });
      expect(error.payment_intent?.status).toBe('requires_payment_method');
      expect(error.payment_intent?.last_payment_error?.decline_code).toBe(decline);
    },
  );

  it('leaves a 3DS card in requires_action without error_on_requires_action', async () => {
    const pi = await authorize('pm_card_authenticationRequired', {
      error_on_requires_action: false,
    });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
  });

  it('enforces per-currency minimums and rejects unknown parameters', async () => {
    expect(await stripeError(authorize('pm_card_visa', { amount: 49 }))).toMatchObject({
      code: 'amount_too_small',
      param: 'amount',
      statusCode: 400,
    });
    expect((await authorize('pm_card_visa', { amount: 30, currency: 'gbp' })).status).toBe(
      'requires_capture',
    );
    expect(
      (await stripeError(authorize('pm_card_visa', { amount: 49, currency: 'jpy' }))).code,
    ).toBe('amount_too_small');
    const unknown = await stripeError(
      stripe.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        bogus: 'x',
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'bogus' });
    expect((await stripeError(authorize('pm_nope'))).code).toBe('resource_missing');
  });

  it('creates PaymentMethods from test tokens only', async () => {
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    expect(pm).toMatchObject({ type: 'card', card: { brand: 'visa', last4: '4242' } });
    expect((await authorize(pm.id)).status).toBe('requires_capture');
    const declined = await stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_chargeDeclinedInsufficientFunds' },
    });
    expect((await stripeError(authorize(declined.id))).decline_code).toBe('insufficient_funds');
    const raw = await stripeError(
      stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 1, exp_year: 2040, cvc: '123' },
      }),
    );
    expect(raw.statusCode).toBe(400);
  });
});

describe('idempotency', () => {
  it('replays the stored response for the same key and parameters', async () => {
    const key = `k-${Math.random()}`;
    const first = await authorize('pm_card_visa', {}, key);
    const second = await authorize('pm_card_visa', {}, key);
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    // The replay is the first response: the current state is read with retrieve.
    await stripe.paymentIntents.capture(first.id);
    expect((await authorize('pm_card_visa', {}, key)).status).toBe('requires_capture');
  });

  it('replays a decline too', async () => {
    const key = `k-${Math.random()}`;
    const a = await stripeError(authorize('pm_card_chargeDeclined', {}, key));
    const b = await stripeError(authorize('pm_card_chargeDeclined', {}, key));
    expect(b.payment_intent?.id).toBe(a.payment_intent?.id);
  });

  it('refuses the same key with other parameters (idempotency_error), scoped per account', async () => {
    const key = `k-${Math.random()}`;
    await authorize('pm_card_visa', {}, key);
    const clash = await stripeError(authorize('pm_card_visa', { amount: 501 }, key));
    expect(clash).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(clash.statusCode).toBe(400);
    const other = double.createAccount();
    const otherStripe = new Stripe(other.secretKey, { ...double.connection, maxNetworkRetries: 0 });
    const elsewhere = await otherStripe.paymentIntents.create(
      {
        amount: 501,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        capture_method: 'manual',
      },
      { idempotencyKey: key },
    );
    expect(elsewhere.status).toBe('requires_capture');
    // Objects are per account too.
    expect((await stripeError(stripe.paymentIntents.retrieve(elsewhere.id))).code).toBe(
      'resource_missing',
    );
  });
});

describe('authentication', () => {
  it.each(['sk_test_unknown0000000000', 'sk_live_0000000000000000'])(
    'answers 401 for %s',
    async (key) => {
      const other = new Stripe(key, { ...double.connection, maxNetworkRetries: 0 });
      const error = await stripeError(other.paymentIntents.retrieve('pi_x'));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error.statusCode).toBe(401);
    },
  );
});

describe('publishable keys', () => {
  it('make PaymentMethods (as Stripe.js does) and nothing else', async () => {
    const browser = new Stripe(double.account.publishableKey, {
      ...double.connection,
      maxNetworkRetries: 0,
    });
    const pm = await browser.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    expect(pm.id).toMatch(/^pm_/);
    expect((await authorize(pm.id)).status).toBe('requires_capture');
    expect((await stripeError(browser.paymentIntents.retrieve('pi_x'))).statusCode).toBe(401);
  });
});

describe('shared payment tokens', () => {
  const grant = (limits: { max_amount?: number; expires_at?: number; currency?: string } = {}) =>
    stripe.rawRequest('POST', '/v1/test_helpers/shared_payment/granted_tokens', {
      payment_method: 'pm_card_visa',
      usage_limits: {
        currency: limits.currency ?? 'usd',
        max_amount: limits.max_amount ?? 1000,
        expires_at: limits.expires_at ?? double.now() + 600,
      },
    }) as unknown as Promise<{ id: string }>;
  const useToken = (spt: string, amount = 500) =>
    stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      shared_payment_granted_token: spt,
      confirm: true,
      capture_method: 'manual',
    } as Stripe.PaymentIntentCreateParams);

  it('authorizes once, then refuses the spent token', async () => {
    const { id } = await grant();
    expect(id).toMatch(/^spt_/);
    expect((await useToken(id)).status).toBe('requires_capture');
    expect((await stripeError(useToken(id))).code).toBe('shared_payment_granted_token_deactivated');
  });

  it('refuses an expired token and one used beyond its limits', async () => {
    const expired = await grant({ expires_at: double.now() + 10 });
    double.advanceTime(11);
    try {
      expect((await stripeError(useToken(expired.id))).code).toBe(
        'shared_payment_granted_token_expired',
      );
    } finally {
      double.advanceTime(-11);
    }
    const small = await grant({ max_amount: 100 });
    expect((await stripeError(useToken(small.id, 500))).code).toBe(
      'shared_payment_granted_token_usage_limits_exceeded',
    );
  });
});

describe('faults', () => {
  it('answers the next N matching requests with a 500, then recovers', async () => {
    double.fail({ status: 500, times: 2, path: /^\/v1\/payment_intents$/ });
    expect(await stripeError(authorize('pm_card_visa'))).toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );
    expect((await stripeError(authorize('pm_card_visa'))).statusCode).toBe(500);
    expect((await authorize('pm_card_visa')).status).toBe('requires_capture');
  });

  it('rate limits with a 429', async () => {
    double.fail({ status: 429 });
    const error = await stripeError(authorize('pm_card_visa'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });

  it('reproduces the pitfall: a 5xx without an error object resolves as a success in stripe 23', async () => {
    double.fail({ status: 502, body: {} });
    const resolved = await authorize('pm_card_visa');
    expect(resolved.lastResponse.statusCode).toBe(502);
    expect(resolved.status).toBeUndefined();
  });

  it('replays a stored 500 for its idempotency key', async () => {
    const key = `k-${Math.random()}`;
    double.fail({ status: 500 });
    expect((await stripeError(authorize('pm_card_visa', {}, key))).statusCode).toBe(500);
    expect((await stripeError(authorize('pm_card_visa', {}, key))).statusCode).toBe(500);
  });
});

describe('OpenAPI validation', () => {
  it('fails loudly when the double would send what Stripe would not', async () => {
    const drifts: Error[] = [];
    const strict = await startStripeDouble({ onShapeError: (error) => drifts.push(error) });
    try {
      const sdk = new Stripe(strict.account.secretKey, {
        ...strict.connection,
        maxNetworkRetries: 0,
      });
      strict.fail({
        status: 200,
        body: { id: 'pi_drift', object: 'payment_intent', status: 'authorized' },
        validateAs: 'payment_intent',
      });
      const error = await stripeError(sdk.paymentIntents.retrieve('pi_drift'));
      expect(error.statusCode).toBe(500);
      expect(drifts).toHaveLength(1);
      expect(drifts[0]).toBeInstanceOf(StripeShapeError);
      expect(drifts[0]?.message).toMatch(/payment_intent/);
      // Real answers pass.
      await sdk.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
      expect(drifts).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it('accepts what the double sends and rejects a drifted object', async () => {
    const pi = await authorize('pm_card_visa');
    const { lastResponse: _, ...body } = pi;
    expect(() => assertStripeShape('payment_intent', body)).not.toThrow();
    expect(() => assertStripeShape('payment_intent', { ...body, status: 'authorized' })).toThrow(
      /payment_intent/,
    );
    expect(() => assertStripeShape('payment_intent', { ...body, made_up: 1 })).toThrow();
    const { currency: __, ...incomplete } = body;
    expect(() => assertStripeShape('payment_intent', incomplete)).toThrow();
    expect(() =>
      assertStripeShape('error', { error: { type: 'card_error', message: 'x', code: 5 } }),
    ).toThrow();
  });
});

/** verify: one test per decline kind and failure mode, through the real SDK and the Stripe double. */
import { X402Error } from '@x402-rails/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeReason } from '../src/index.js';
import { paymentIntentOf, type Rig, rig } from './helpers.js';

let r: Rig;
beforeAll(async () => {
  r = await rig();
});
afterAll(async () => {
  await r.close();
});

async function refusal(credential: string) {
  const payload = await r.pay(credential);
  const verified = await r.facilitator.verify(payload, r.requirements());
  expect(verified.isValid).toBe(false);
  return verified;
}

describe('declines map to reasons', () => {
  it('a good card is an authorization hold: valid, requires_capture, nothing moved', async () => {
    const before = r.double.balanceOf(r.double.account.id);
    const payload = await r.pay('pm_card_visa');
    const verified = await r.facilitator.verify(payload, r.requirements());
    expect(verified).toMatchObject({ isValid: true, payer: expect.stringMatching(/^pm_/) });
    const held = [...r.double.bank.paymentIntents.values()].at(-1);
    expect(held).toMatchObject({
      status: 'requires_capture',
      captureMethod: 'manual',
      amount: 100,
    });
    expect(r.double.balanceOf(r.double.account.id)).toBe(before);
  });

  it('insufficient funds → insufficient_funds', async () => {
    expect((await refusal('pm_card_visa_chargeDeclinedInsufficientFunds')).invalidReason).toBe(
      StripeReason.insufficientFunds,
    );
  });

  it('a generic decline → card_declined with the decline code', async () => {
    const v = await refusal('pm_card_chargeDeclined');
    expect(v.invalidReason).toBe('card_declined');
    expect(v.invalidMessage).toContain('decline_code generic_decline');
  });

  it('a lost card → card_declined (lost_card)', async () => {
    const v = await refusal('pm_card_visa_chargeDeclinedLostCard');
    expect(v).toMatchObject({ invalidReason: 'card_declined' });
    expect(v.invalidMessage).toContain('lost_card');
  });

  it('an expired card → card_declined (expired_card)', async () => {
    const v = await refusal('pm_card_chargeDeclinedExpiredCard');
    expect(v.invalidReason).toBe('card_declined');
    expect(v.invalidMessage).toContain('code expired_card');
  });

  it('a 3-D Secure card → card_authentication_required (error_on_requires_action)', async () => {
    expect((await refusal('pm_card_authenticationRequired')).invalidReason).toBe(
      'card_authentication_required',
    );
  });

  it('an unknown PaymentMethod → payment_credential_not_found', async () => {
    expect((await refusal('pm_doesNotExist')).invalidReason).toBe('payment_credential_not_found');
  });

  it('a decline is final for its payment id: verifying again replays it', async () => {
    const payload = await r.pay('pm_card_chargeDeclined');
    const first = await r.facilitator.verify(payload, r.requirements());
    const second = await r.facilitator.verify(payload, r.requirements());
    expect(second).toEqual(first);
  });
});

describe('shared payment tokens', () => {
  it('a granted token authorizes once', async () => {
    const spt = await r.grantToken();
    const payload = await r.pay(spt);
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    // The same payment verifies again (replayed, no second use of the token)...
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    // ...but another payment with the spent token is refused.
    expect((await refusal(spt)).invalidReason).toBe(StripeReason.tokenUsed);
  });

  it('an expired token → shared_payment_token_expired', async () => {
    const spt = await r.grantToken({ expires_at: r.double.now() + 5 });
    r.double.advanceTime(6);
    try {
      expect((await refusal(spt)).invalidReason).toBe(StripeReason.tokenExpired);
    } finally {
      r.double.advanceTime(-6);
    }
  });

  it('a token whose limits the price exceeds → shared_payment_token_limits_exceeded', async () => {
    const spt = await r.grantToken({ max_amount: 60 });
    expect((await refusal(spt)).invalidReason).toBe(StripeReason.tokenLimits);
  });
});

describe('idempotency', () => {
  it('the same payment id with other terms is a clash (payment_id_conflict), and the hold stays single', async () => {
    const payload = await r.pay('pm_card_visa');
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    const count = r.double.bank.paymentIntents.size;
    const otherCard = {
      ...payload,
      payload: { ...payload.payload, paymentMethod: 'pm_card_mastercard' },
    };
    const clash = await r.facilitator.verify(otherCard, r.requirements());
    expect(clash).toMatchObject({ isValid: false, invalidReason: StripeReason.paymentIdConflict });
    expect(r.double.bank.paymentIntents.size).toBe(count);
  });

  it('a clash is also caught by Stripe when this facilitator has no record (idempotency_error)', async () => {
    const payload = await r.pay('pm_card_visa');
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    const { createStripeCardFacilitator } = await import('../src/facilitator.js');
    const elsewhere = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: r.connection,
    });
    const otherCard = {
      ...payload,
      payload: { ...payload.payload, paymentMethod: 'pm_card_mastercard' },
    };
    expect(await elsewhere.verify(otherCard, r.requirements())).toMatchObject({
      isValid: false,
      invalidReason: StripeReason.paymentIdConflict,
    });
    // The same terms on a facilitator without a record: Stripe replays the one authorization.
    expect((await elsewhere.verify(payload, r.requirements())).isValid).toBe(true);
  });

  it('sends one idempotency key per payment id', async () => {
    const payload = await r.pay('pm_card_visa');
    await r.facilitator.verify(payload, r.requirements());
    await r.facilitator.verify(payload, r.requirements());
    const keys = r.double.requests
      .filter((q) => q.method === 'POST' && q.path === '/v1/payment_intents')
      .slice(-2)
      .map((q) => q.idempotencyKey);
    // The second verify reads the hold on record instead of creating again.
    expect(keys[1]).toMatch(/^x402-authorize-[0-9a-f]{48}$/);
  });
});

describe('Stripe failing is never a valid payment', () => {
  it('a 5xx without an error object (stripe 23 resolves it as success) is not valid', async () => {
    r.double.fail({ status: 502, body: {}, path: /^\/v1\/payment_intents$/ });
    const payload = await r.pay('pm_card_visa');
    const v = await r.facilitator.verify(payload, r.requirements());
    expect(v).toMatchObject({ isValid: false, invalidReason: 'unexpected_verify_error' });
  });

  it('a 5xx that looks like a PaymentIntent without a status is not valid either', async () => {
    r.double.fail({
      status: 500,
      body: { id: 'pi_fake', object: 'payment_intent', amount: 100, currency: 'usd' },
    });
    const v = await r.facilitator.verify(await r.pay('pm_card_visa'), r.requirements());
    expect(v).toMatchObject({ isValid: false, invalidReason: 'unexpected_verify_error' });
  });

  it('a 500 with Stripe’s error body → unexpected_verify_error (retryable)', async () => {
    r.double.fail({ status: 500 });
    const v = await r.facilitator.verify(await r.pay('pm_card_visa'), r.requirements());
    expect(v).toMatchObject({ isValid: false, invalidReason: 'unexpected_verify_error' });
  });

  it('a 429 → unexpected_verify_error, and the same payment verifies once Stripe recovers', async () => {
    r.double.fail({ status: 429 });
    const payload = await r.pay('pm_card_visa');
    expect((await r.facilitator.verify(payload, r.requirements())).invalidReason).toBe(
      'unexpected_verify_error',
    );
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
  });

  it('an unreachable Stripe → unexpected_verify_error', async () => {
    const { createStripeCardFacilitator } = await import('../src/facilitator.js');
    const offline = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: { host: '127.0.0.1', port: 1, protocol: 'http', maxNetworkRetries: 0 },
    });
    const v = await offline.verify(await r.pay('pm_card_visa'), r.requirements());
    expect(v).toMatchObject({ isValid: false, invalidReason: 'unexpected_verify_error' });
  });
});

describe('payload and requirements checks', () => {
  it('refuses anything that looks like a card number (Luhn) as invalid_payload, before Stripe', async () => {
    const before = r.double.requests.length;
    // The client refuses to send it; a hostile or broken client might.
    const made = await r.pay('pm_card_visa');
    const payload = { ...made, payload: { ...made.payload, paymentMethod: 'pm_4242424242424242' } };
    const v = await r.facilitator.verify(payload, r.requirements());
    expect(v).toMatchObject({ isValid: false, invalidReason: 'invalid_payload' });
    expect(v.invalidMessage).toMatch(/card number/);
    const settled = await r.facilitator.settle(payload, r.requirements());
    expect(settled).toMatchObject({ success: false, errorReason: 'invalid_payload' });
    expect(r.double.requests.length).toBe(before);
  });

  it('refuses requirements below Stripe’s minimum charge without calling Stripe', async () => {
    const req = { ...r.requirements(), amount: '49' };
    const payload = { ...(await r.pay('pm_card_visa', req)) };
    expect(await r.facilitator.verify(payload, req)).toMatchObject({
      isValid: false,
      invalidReason: StripeReason.amountBelowMinimum,
    });
  });

  it('refuses requirements above Stripe’s largest charge without calling Stripe', async () => {
    const req = { ...r.requirements(), amount: '100000000' };
    expect(await r.facilitator.verify(await r.pay('pm_card_visa', req), req)).toMatchObject({
      isValid: false,
      invalidReason: StripeReason.amountAboveMaximum,
    });
  });

  it('refuses a payTo that is not this facilitator’s account', async () => {
    const other = r.double.createAccount().id;
    const req = { ...r.requirements(), payTo: other };
    const payload = await r.pay('pm_card_visa', req);
    expect((await r.facilitator.verify(payload, req)).invalidReason).toBe('recipient_mismatch');
  });

  it('a refused hold is never captured by settle', async () => {
    const payload = await r.pay('pm_card_visa_chargeDeclinedInsufficientFunds');
    const settled = await r.facilitator.settle(payload, r.requirements());
    expect(settled).toMatchObject({ success: false, errorReason: 'insufficient_funds' });
  });

  it('X402Error is what release throws for a captured payment', async () => {
    const payload = await r.pay('pm_card_visa');
    const settled = await r.facilitator.settle(payload, r.requirements());
    expect(settled.success).toBe(true);
    expect(paymentIntentOf(r.double, settled.transaction).status).toBe('succeeded');
    await expect(r.facilitator.release(payload, r.requirements())).rejects.toBeInstanceOf(
      X402Error,
    );
  });
});

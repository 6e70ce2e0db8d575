/** settle = capture, release = cancel (also through the core engine), sweeper, refund, status. */
import { X402Error } from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeCardClient } from '../src/client.js';
import { createStripeCardFacilitator } from '../src/facilitator.js';
import { paymentIntentOf, type Rig, rig } from './helpers.js';

let r: Rig;
let payer: string;
beforeAll(async () => {
  r = await rig();
  payer = await r.fingerprintOf('tok_visa');
});
afterAll(async () => {
  await r.close();
});

const merchant = () => r.double.balanceOf(r.double.account.id);

describe('settle', () => {
  it('captures the hold verify placed: the amount moves once', async () => {
    const payload = await r.pay();
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    const before = { merchant: merchant(), payer: r.double.balanceOf(payer) };
    const settled = await r.facilitator.settle(payload, r.requirements());
    expect(settled).toMatchObject({ success: true, network: 'stripe:test', amount: '100' });
    expect(settled.transaction).toMatch(/^pi_/);
    expect(paymentIntentOf(r.double, settled.transaction).status).toBe('succeeded');
    expect(merchant()).toBe(before.merchant + 100);
    expect(r.double.balanceOf(payer)).toBe(before.payer - 100);
    expect(await r.facilitator.settle(payload, r.requirements())).toMatchObject({
      success: false,
      errorReason: 'payment_already_used',
    });
    expect(merchant()).toBe(before.merchant + 100);
  });

  it('refuses to capture a released hold', async () => {
    const payload = await r.pay();
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    await r.facilitator.release(payload, r.requirements());
    await r.facilitator.release(payload, r.requirements()); // idempotent
    expect(await r.facilitator.settle(payload, r.requirements())).toMatchObject({
      success: false,
      errorReason: 'card_authorization_canceled',
    });
  });

  it('a capture answered by a 5xx without an error object is never a success; it reconciles by status', async () => {
    const payload = await r.pay();
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    const before = merchant();
    r.double.fail({ status: 502, body: {}, path: /\/capture$/ });
    const thrown = await r.facilitator.settle(payload, r.requirements()).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(X402Error);
    expect(thrown).toMatchObject({
      code: 'unexpected_settle_error',
      details: { transaction: expect.stringMatching(/^pi_/) },
    });
    expect(merchant()).toBe(before);
    // Nothing was captured: status says so, and settling again is safe.
    expect(await r.facilitator.status?.(payload, r.requirements())).toEqual({ state: 'not_found' });
    expect((await r.facilitator.settle(payload, r.requirements())).success).toBe(true);
    expect(merchant()).toBe(before + 100);
  });

  it('a capture whose reply was lost after Stripe captured: status reports it settled, same transaction', async () => {
    const payload = await r.pay();
    expect((await r.facilitator.verify(payload, r.requirements())).isValid).toBe(true);
    r.double.fail({ status: 500, path: /\/capture$/, afterHandling: true });
    const thrown = (await r.facilitator
      .settle(payload, r.requirements())
      .catch((e: unknown) => e)) as X402Error;
    expect(thrown.code).toBe('unexpected_settle_error');
    const status = await r.facilitator.status?.(payload, r.requirements());
    expect(status).toMatchObject({
      state: 'settled',
      settlement: { success: true, transaction: thrown.details['transaction'] },
    });
  });

  it('an authorization that fails inside settle is a reported failure, not a throw (nothing was captured)', async () => {
    r.double.fail({ status: 500, path: /^\/v1\/payment_intents$/ });
    const settled = await r.facilitator.settle(await r.pay(), r.requirements());
    expect(settled).toMatchObject({ success: false, errorReason: 'unexpected_settle_error' });
  });

  it('concurrent verifies and settles of one payment share one authorization request', async () => {
    const payload = await r.pay();
    const creates = () =>
      r.double.requests.filter((q) => q.method === 'POST' && q.path === '/v1/payment_intents')
        .length;
    const before = creates();
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () =>
        r.facilitator.verify(structuredClone(payload), r.requirements()),
      ),
      ...Array.from({ length: 5 }, () =>
        r.facilitator.settle(structuredClone(payload), r.requirements()),
      ),
    ]);
    expect(creates()).toBe(before + 1);
    const settles = results.slice(5) as { success: boolean }[];
    expect(settles.filter((x) => x.success)).toHaveLength(1);
  });

  it('the core journal turns the thrown capture into a failure carrying the transaction', async () => {
    const facilitator = createFacilitator({ schemes: [r.facilitator] });
    const payload = await r.pay();
    r.double.fail({ status: 503, path: /\/capture$/ });
    const settled = await facilitator.settle(payload, r.requirements());
    expect(settled).toMatchObject({ success: false, errorReason: 'unexpected_settle_error' });
    expect(settled.transaction).toMatch(/^pi_/);
  });
});

describe('release through the core engine (holdsFunds)', () => {
  function paidServer(handler: () => Response) {
    const facilitator = createFacilitator({ schemes: [r.facilitator] });
    const server = createResourceServer({ facilitator, schemes: [r.server] });
    const route = {
      accepts: {
        scheme: 'shared-payment-token',
        network: 'stripe:test' as const,
        price: '$2.00',
        payTo: r.double.account.id,
      },
    };
    return createPaymentClient({
      schemes: [createStripeCardClient({ credential: async () => 'pm_card_visa' })],
      fetch: async (input, init) => server.handle(new Request(input, init), route, handler),
    });
  }

  it('a handler that fails voids the hold: the PaymentIntent is canceled and the buyer not charged', async () => {
    expect(r.server.holdsFunds).toBe(true);
    const before = { merchant: merchant(), payer: r.double.balanceOf(payer) };
    const count = r.double.bank.paymentIntents.size;
    const agent = paidServer(() => new Response('boom', { status: 500 }));
    const response = await agent.fetch('http://127.0.0.1/paid');
    expect(response.status).toBe(500);
    const created = [...r.double.bank.paymentIntents.values()].slice(count);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ status: 'canceled', amount: 200, amountReceived: 0 });
    expect(merchant()).toBe(before.merchant);
    expect(r.double.balanceOf(payer)).toBe(before.payer);
  });

  it('a handler that succeeds is captured', async () => {
    const before = merchant();
    const agent = paidServer(() => Response.json({ ok: true }));
    const response = await agent.fetch('http://127.0.0.1/paid');
    expect(response.status).toBe(200);
    const transaction = agent.receiptOf(response)?.settlement?.transaction as string;
    expect(paymentIntentOf(r.double, transaction).status).toBe('succeeded');
    expect(merchant()).toBe(before + 200);
  });
});

describe('sweeper', () => {
  it('voids open holds older than maxTimeoutSeconds, and only those', async () => {
    let clock = Date.now();
    const facilitator = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: r.connection,
      now: () => clock,
    });
    const old = await r.pay('pm_card_visa', r.requirements('$1.00', 30));
    const young = await r.pay('pm_card_visa', r.requirements('$1.00', 600));
    const settledOne = await r.pay('pm_card_visa', r.requirements('$1.00', 30));
    for (const p of [old, young, settledOne])
      expect((await facilitator.verify(p, p.accepted)).isValid).toBe(true);
    const captured = await facilitator.settle(settledOne, settledOne.accepted);
    expect(captured.success).toBe(true);
    clock += 31_000;
    expect(await facilitator.sweep()).toEqual({ canceled: 1, closed: 0, failed: 0 });
    expect(await facilitator.settle(old, old.accepted)).toMatchObject({
      errorReason: 'card_authorization_canceled',
    });
    expect((await facilitator.settle(young, young.accepted)).success).toBe(true);
    expect(await facilitator.sweep()).toEqual({ canceled: 0, closed: 0, failed: 0 });
  });

  it('closes a record whose hold was captured elsewhere, and counts a Stripe failure', async () => {
    let clock = Date.now();
    const facilitator = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: r.connection,
      now: () => clock,
    });
    const a = await r.pay('pm_card_visa', r.requirements('$1.00', 10));
    const b = await r.pay('pm_card_visa', r.requirements('$1.00', 10));
    expect((await facilitator.verify(a, a.accepted)).isValid).toBe(true);
    expect((await facilitator.verify(b, b.accepted)).isValid).toBe(true);
    // a's hold is captured by another facilitator instance (e.g. after a restart)
    const other = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: r.connection,
    });
    expect((await other.settle(a, a.accepted)).success).toBe(true);
    clock += 11_000;
    r.double.fail({ status: 500, path: /\/cancel$/, times: 1 });
    const first = await facilitator.sweep();
    expect(first.failed + first.closed + first.canceled).toBe(2);
    expect(first.failed).toBe(1);
    const second = await facilitator.sweep();
    expect(first.closed + second.closed).toBe(1);
    expect(first.canceled + second.canceled).toBe(1);
  });

  it('runs on an interval until stopped', async () => {
    let clock = Date.now();
    const facilitator = createStripeCardFacilitator({
      secretKey: r.double.account.secretKey,
      accountId: r.double.account.id,
      connection: r.connection,
      now: () => clock,
    });
    const p = await r.pay('pm_card_visa', r.requirements('$1.00', 5));
    const verified = await facilitator.verify(p, p.accepted);
    expect(verified.isValid).toBe(true);
    clock += 6_000;
    const canceled = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const pi = [...r.double.bank.paymentIntents.values()].find(
          (x) => x.metadata['x402_payment_id'] === p.payload['paymentId'],
        );
        if (pi?.status === 'canceled') {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const stop = facilitator.startSweeper(10);
    await canceled;
    stop();
  });
});

describe('refund', () => {
  it('refunds part, then the rest, then refuses', async () => {
    const payload = await r.pay('pm_card_visa', r.requirements('$3.00'));
    const settled = await r.facilitator.settle(payload, r.requirements('$3.00'));
    const before = merchant();
    const part = await r.facilitator.refund({ transaction: settled.transaction, amount: 100n });
    expect(part).toMatchObject({ amount: '100', currency: 'usd', status: 'succeeded' });
    expect(part.id).toMatch(/^re_/);
    const rest = await r.facilitator.refund({
      transaction: settled.transaction,
      reason: 'requested_by_customer',
    });
    expect(rest.amount).toBe('200');
    expect(merchant()).toBe(before - 300);
    await expect(r.facilitator.refund({ transaction: settled.transaction })).rejects.toBeInstanceOf(
      X402Error,
    );
    await expect(r.facilitator.refund({ transaction: 'ch_nope' })).rejects.toMatchObject({
      code: 'invalid_payload',
    });
  });

  it('a retried refund with the same idempotency key refunds once', async () => {
    const payload = await r.pay('pm_card_visa', r.requirements('$3.00'));
    const settled = await r.facilitator.settle(payload, r.requirements('$3.00'));
    const before = merchant();
    const key = `refund-${settled.transaction}`;
    const a = await r.facilitator.refund({
      transaction: settled.transaction,
      amount: 100n,
      idempotencyKey: key,
    });
    const b = await r.facilitator.refund({
      transaction: settled.transaction,
      amount: 100n,
      idempotencyKey: key,
    });
    expect(b.id).toBe(a.id);
    expect(merchant()).toBe(before - 100);
  });
});

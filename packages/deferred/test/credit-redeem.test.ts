/**
 * The credit-backed path end to end: paid requests through core's resource server, vouchers in a
 * PGlite channel ledger, then redemption by card on the Stripe double (through the real SDK) —
 * one charge per buyer per period equal to the served prices, minimums carried, declines retried,
 * and no double charge across reruns, lost replies and restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StripeDouble, startStripeDouble } from '@x402-rails/testkit/stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CreditBuyer,
  type CreditShop,
  intentsOf,
  newCreditBuyer,
  openCreditShop,
  periodClock,
  URL,
} from './credit-rig.js';

const PRICE = 12_500n; // $0.0125 in micro-dollars

let double: StripeDouble;
const shops: CreditShop[] = [];
beforeAll(async () => {
  double = await startStripeDouble();
});
afterEach(async () => {
  await Promise.all(shops.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await double.close();
});

async function shop(options: Parameters<typeof openCreditShop>[0] = {}) {
  const s = await openCreditShop({ double, price: '$0.0125', ...options });
  shops.push(s);
  return s;
}

async function buy(buyer: CreditBuyer, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await buyer.client.fetch(URL);
    expect(response.status).toBe(200);
  }
}

/** Stripe charges the card and stores its answer under the key, but the reply is lost. */
const loseNextChargeReply = () =>
  double.fail({
    status: 500,
    method: 'POST',
    path: /^\/v1\/payment_intents$/,
    afterHandling: true,
    storeHandled: true,
  });

const succeeded = (s: CreditShop, customer: string) =>
  intentsOf(s, customer).filter((pi) => pi.status === 'succeeded');

describe('redemption by card', () => {
  it('charges each buyer once per period, the sum of the served prices, cents rounded down', async () => {
    const s = await shop();
    const alice = await newCreditBuyer(s);
    const bob = await newCreditBuyer(s);
    await buy(alice, 41); // 512 500 µ$ = 51 cents + 2 500 µ$
    await buy(bob, 50); // 625 000 µ$ = 62 cents + 5 000 µ$

    // Nothing is due before the period ends.
    expect((await s.redeem()).buyers).toEqual([]);
    s.clock.nextPeriod();
    const report = await s.redeem();
    const byPayer = new Map(report.buyers.map((b) => [b.payer, b]));
    const a = byPayer.get(alice.account.address.toLowerCase() as `0x${string}`);
    const b = byPayer.get(bob.account.address.toLowerCase() as `0x${string}`);
    expect(a).toMatchObject({
      outcome: 'charged',
      owed: 41n * PRICE,
      amountCents: 51,
      carried: 2_500n,
    });
    expect(b).toMatchObject({
      outcome: 'charged',
      owed: 50n * PRICE,
      amountCents: 62,
      carried: 5_000n,
    });
    expect(a?.channels).toHaveLength(1);
    expect(a?.channels[0]?.voucherCumulative).toBe(41n * PRICE);

    const [aliceCharge] = succeeded(s, alice.customer);
    expect(succeeded(s, alice.customer)).toHaveLength(1);
    expect(aliceCharge).toMatchObject({
      amount: 51,
      currency: 'usd',
      paymentMethod: { id: alice.paymentMethod },
    });
    expect(a?.paymentIntent).toBe(aliceCharge?.id);
    expect(succeeded(s, bob.customer).map((pi) => pi.amount)).toEqual([62]);

    // The sub-cent rest stays owed on the channel; the voucher stays as evidence.
    const channelId = a?.channels[0]?.channelId as `0x${string}`;
    const channel = await s.store.deferredLedger.get(channelId);
    expect(channel).toMatchObject({ charged: 41n * PRICE, claimed: 510_000n });
    expect(channel?.chargedVoucher?.maxClaimableAmount).toBe(41n * PRICE);

    // A second run pays nothing more.
    expect((await s.redeem()).buyers.filter((x) => x.outcome !== 'carried')).toEqual([]);
    expect(succeeded(s, alice.customer)).toHaveLength(1);
    expect(succeeded(s, bob.customer)).toHaveLength(1);
  });

  it('carries a total below the minimum and charges it with the next period’s', async () => {
    const s = await shop();
    const carol = await newCreditBuyer(s);
    await buy(carol, 10); // 125 000 µ$ = 12 cents: below Stripe's 50
    s.clock.nextPeriod();
    const first = await s.redeem();
    expect(first.buyers).toMatchObject([
      { outcome: 'carried', owed: 10n * PRICE, carried: 10n * PRICE },
    ]);
    expect(intentsOf(s, carol.customer)).toEqual([]);

    await buy(carol, 30); // a new channel in the new period: 375 000 µ$
    s.clock.nextPeriod();
    const second = await s.redeem();
    expect(second.buyers).toHaveLength(1);
    expect(second.buyers[0]).toMatchObject({
      outcome: 'charged',
      owed: 40n * PRICE,
      amountCents: 50,
      carried: 0n,
    });
    expect(second.buyers[0]?.channels.map((c) => c.voucherCumulative)).toEqual([
      10n * PRICE,
      30n * PRICE,
    ]);
    expect(succeeded(s, carol.customer).map((pi) => pi.amount)).toEqual([50]);
  });

  it('keeps a declined debt, retries it with a new key, and charges once after the card is fixed', async () => {
    const s = await shop();
    const dan = await newCreditBuyer(s, 10_000_000n, 'pm_card_chargeCustomerFail');
    await buy(dan, 41);
    s.clock.nextPeriod();
    const declined = await s.redeem();
    expect(declined.buyers[0]).toMatchObject({
      outcome: 'declined',
      declineCode: 'generic_decline',
      attempt: 1,
      carried: 41n * PRICE,
    });
    const channelId = declined.buyers[0]?.channels[0]?.channelId as `0x${string}`;
    expect((await s.store.deferredLedger.get(channelId))?.claimed).toBe(0n);

    const again = await s.redeem();
    expect(again.buyers[0]).toMatchObject({ outcome: 'declined', attempt: 2 });
    expect(again.buyers[0]?.charge).not.toBe(declined.buyers[0]?.charge);

    // The buyer saves a working card; the operator records it.
    const fixed = await s.stripe.paymentMethods.attach('pm_card_visa', { customer: dan.customer });
    await s.store.creditAccounts.register(
      {
        payer: dan.account.address,
        customer: dan.customer,
        paymentMethod: fixed.id,
        creditLimit: 10_000_000n,
        currency: 'usd',
      },
      s.clock.now(),
    );
    const paid = await s.redeem();
    expect(paid.buyers[0]).toMatchObject({ outcome: 'charged', attempt: 3, amountCents: 51 });
    // Afterwards only the sub-cent rest is owed: carried, nothing charged.
    const after = await s.redeem();
    expect(after.buyers.map((b) => [b.outcome, b.owed, b.carried])).toEqual([
      ['carried', 2_500n, 2_500n],
    ]);
    expect(succeeded(s, dan.customer).map((pi) => pi.amount)).toEqual([51]);
    expect(intentsOf(s, dan.customer)).toHaveLength(3);
    const rows = await s.store.creditCharges.listFor(dan.account.address);
    expect(rows.map((r) => [r.state, r.attempt])).toEqual([
      ['declined', 1],
      ['declined', 2],
      ['succeeded', 3],
    ]);
  });

  it('charges once when the reply is lost and the job restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'x402-credit-crash-'));
    try {
      const clock = periodClock();
      const before = await openCreditShop({ double, dataDir, clock, price: '$0.0125' });
      const erin = await newCreditBuyer(before);
      await buy(erin, 41);
      clock.nextPeriod();
      // Stripe charges the card, but the reply never reaches the job (it was killed, or the
      // connection dropped): the journal row stays pending.
      loseNextChargeReply();
      const lost = await before.redeem();
      expect(lost.buyers[0]).toMatchObject({ outcome: 'pending', amountCents: 51 });
      expect(succeeded(before, erin.customer)).toHaveLength(1);
      const channelId = lost.buyers[0]?.channels[0]?.channelId as `0x${string}`;
      expect((await before.store.deferredLedger.get(channelId))?.claimed).toBe(0n);
      await before.close();

      // A new process on the same database: the pending row is retried with its key.
      const after = await openCreditShop({ double, dataDir, clock, price: '$0.0125' });
      shops.push(after);
      const resumed = await after.redeem();
      expect(resumed.buyers[0]).toMatchObject({
        outcome: 'charged',
        charge: lost.buyers[0]?.charge,
      });
      expect(succeeded(after, erin.customer)).toHaveLength(1);
      expect((await after.store.deferredLedger.get(channelId))?.claimed).toBe(510_000n);
      const keys = after.double.requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')
        .map((r) => r.idempotencyKey);
      expect(keys.filter((k) => k === lost.buyers[0]?.charge)).toHaveLength(2);
      expect((await after.redeem()).buyers.map((b) => b.outcome)).toEqual(['carried']);
      expect(succeeded(after, erin.customer)).toHaveLength(1);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves a pending charge older than the idempotency window alone (a re-send could charge twice)', async () => {
    const s = await shop();
    const gus = await newCreditBuyer(s);
    await buy(gus, 41);
    s.clock.nextPeriod();
    loseNextChargeReply();
    const lost = await s.redeem();
    expect(lost.buyers[0]).toMatchObject({ outcome: 'pending' });
    const creates = () =>
      s.double.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')
        .length;
    const sent = creates();
    // A day later (past the window) the row is reported, not re-sent, and the debt stays owed.
    const late = await s.redeem({ now: () => s.clock.now() + 24 * 3_600_000 });
    expect(late.buyers).toHaveLength(1);
    expect(late.buyers[0]).toMatchObject({
      outcome: 'unresolved',
      charge: lost.buyers[0]?.charge,
      carried: 512_500n,
    });
    expect(late.buyers[0]?.message).toContain(`x402_charge=${lost.buyers[0]?.charge}`);
    expect(creates()).toBe(sent);
    const channelId = lost.buyers[0]?.channels[0]?.channelId as `0x${string}`;
    expect((await s.store.deferredLedger.get(channelId))?.claimed).toBe(0n);
  });

  it('charges once when two runs race', async () => {
    const s = await shop();
    const fay = await newCreditBuyer(s);
    await buy(fay, 41);
    s.clock.nextPeriod();
    const [one, two] = await Promise.all([s.redeem(), s.redeem()]);
    expect(
      [...one.buyers, ...two.buyers].filter((b) => b.outcome === 'charged').length,
    ).toBeGreaterThanOrEqual(1);
    expect(succeeded(s, fay.customer)).toHaveLength(1);
  });
});

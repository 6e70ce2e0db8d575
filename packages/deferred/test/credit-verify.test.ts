/**
 * What the credit-backed verify refuses, and the one-channel compare-and-swap: unknown payers,
 * credit limits (earlier unpaid periods included), ended periods, tampered vouchers, parallel
 * channels, and two vouchers racing on one channel.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditClient } from '../src/credit/client.js';
import { CreditReason } from '../src/credit/reasons.js';
import { creditChannelIdOf, ZERO_SALT } from '../src/credit/wire.js';
import { DeferredReason } from '../src/reasons.js';
import { signChannelVoucher } from '../src/voucher.js';
import {
  type CreditShop,
  LEDGER_ADDRESS,
  NETWORK,
  newCreditBuyer,
  openCreditShop,
  requiredOf,
  URL,
} from './credit-rig.js';

const PRICE = 12_500n;
let s: CreditShop;
beforeAll(async () => {
  s = await openCreditShop({ price: '$0.0125' });
});
afterAll(async () => {
  await s.close();
});

async function requirementsNow(): Promise<PaymentRequirements> {
  const unpaid = await s.handle(new Request(URL));
  expect(unpaid.status).toBe(402);
  return requiredOf(unpaid).accepts[0] as unknown as PaymentRequirements;
}

const payloadOf = (
  requirements: PaymentRequirements,
  payload: Record<string, unknown>,
): PaymentPayload => ({
  x402Version: 2,
  resource: { url: URL },
  accepted: requirements,
  payload,
});

async function verify(requirements: PaymentRequirements, payload: Record<string, unknown>) {
  return s.facilitator.verify(payloadOf(requirements, payload), requirements);
}

describe('credit-backed verify', () => {
  it('offers micro-dollar requirements naming the ledger and the period', async () => {
    const requirements = await requirementsNow();
    expect(requirements).toMatchObject({
      scheme: 'batch-settlement',
      network: 'credit:test',
      asset: 'usd',
      amount: PRICE.toString(),
      extra: {
        ledger: getAddress(LEDGER_ADDRESS),
        decimals: 6,
        name: 'x402 Credit Ledger',
        version: '1',
      },
    });
    const periodEnd = (requirements.extra as { periodEnd: number }).periodEnd;
    expect(periodEnd * 1000).toBeGreaterThan(s.clock.now());
    expect(periodEnd % 86_400).toBe(0);
  });

  it('refuses a payer without a billing identity', async () => {
    const stranger = createPaymentClient({
      schemes: [createCreditClient({ privateKey: generatePrivateKey() })],
      fetch: (input, init) => s.handle(new Request(input, init)),
    });
    const response = await stranger.fetch(URL);
    expect(response.status).toBe(402);
    expect(requiredOf(response).error).toBe(CreditReason.unknownPayer);
  });

  it('refuses what would exceed the credit limit, earlier unpaid periods included', async () => {
    const buyer = await newCreditBuyer(s, 2n * PRICE + 1n);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    const over = await buyer.client.fetch(URL);
    expect(over.status).toBe(402);
    expect(requiredOf(over).error).toBe(CreditReason.creditLimitExceeded);
    s.clock.nextPeriod();
    // A new period's channel: the old one's debt still counts until it is collected.
    const stillOver = await createPaymentClient({
      schemes: [createCreditClient({ privateKey: buyer.key })],
      fetch: (input, init) => s.handle(new Request(input, init)),
    }).fetch(URL);
    expect(requiredOf(stillOver).error).toBe(CreditReason.creditLimitExceeded);
    // Raising the limit lets the buyer go on.
    await s.store.creditAccounts.register(
      {
        payer: buyer.account.address,
        customer: buyer.customer,
        paymentMethod: buyer.paymentMethod,
        creditLimit: 10n * PRICE,
        currency: 'usd',
      },
      s.clock.now(),
    );
    expect((await buyer.client.fetch(URL)).status).toBe(200);
  });

  it('refuses a voucher for a period that has ended, and one for a made-up period', async () => {
    const buyer = await newCreditBuyer(s);
    const requirements = await requirementsNow();
    const { payload } = await buyer.rail.create({ requirements, resource: { url: URL } });
    s.clock.nextPeriod();
    const ended = await verify(requirements, payload);
    expect(ended).toMatchObject({ isValid: false, invalidReason: CreditReason.periodEnded });
    const current = await requirementsNow();
    const future = {
      ...current,
      extra: {
        ...current.extra,
        periodEnd: (current.extra as { periodEnd: number }).periodEnd + 86_400,
      },
    };
    const fresh = createCreditClient({ privateKey: buyer.key });
    const ahead = await fresh.create({ requirements: future, resource: { url: URL } });
    expect(await verify(current, ahead.payload)).toMatchObject({
      isValid: false,
      invalidReason: CreditReason.periodMismatch,
    });
  });

  it('pays on the new period’s channel when the period ends between the 402 and the payment', async () => {
    const buyer = await newCreditBuyer(s);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    let rolled = false;
    const client = createPaymentClient({
      schemes: [buyer.rail],
      fetch: (input, init) => {
        const request = new Request(input, init);
        // The period ends while the first paid request is on its way.
        if (request.headers.has('payment-signature') && !rolled) {
          rolled = true;
          s.clock.nextPeriod();
        }
        return s.handle(request);
      },
    });
    const response = await client.fetch(URL);
    expect(response.status).toBe(200);
    const { channelId } = buyer.rail.channelFor(await requirementsNow());
    expect((await s.store.deferredLedger.get(channelId))?.charged).toBe(PRICE);
  });

  it('refuses tampered amounts, receivers, domains and salts', async () => {
    const buyer = await newCreditBuyer(s);
    const requirements = await requirementsNow();
    const good = (
      await createCreditClient({ privateKey: buyer.key }).create({
        requirements,
        resource: { url: URL },
      })
    ).payload as {
      channelConfig: Record<string, unknown>;
      voucher: { channelId: `0x${string}`; maxClaimableAmount: string; signature: `0x${string}` };
    };
    const raised = { ...good, voucher: { ...good.voucher, maxClaimableAmount: '1' } };
    expect((await verify(requirements, raised)).invalidReason).toBe(
      DeferredReason.voucherSignature,
    );

    const elsewhere = {
      ...good,
      channelConfig: {
        ...good.channelConfig,
        receiver: privateKeyToAccount(generatePrivateKey()).address,
      },
    };
    expect((await verify(requirements, elsewhere)).invalidReason).toBe(
      DeferredReason.receiverMismatch,
    );

    // Signed under another ledger's domain: another channel id, and a signature this ledger refuses.
    const otherLedger = {
      ...requirements,
      extra: { ...requirements.extra, ledger: `0x${'22'.repeat(20)}` },
    };
    const foreign = (
      await createCreditClient({ privateKey: buyer.key }).create({
        requirements: otherLedger,
        resource: { url: URL },
      })
    ).payload as typeof good;
    expect((await verify(requirements, foreign)).invalidReason).toBe(
      DeferredReason.channelIdMismatch,
    );
    const relabelled = {
      ...foreign,
      voucher: { ...foreign.voucher, channelId: good.voucher.channelId },
    };
    expect((await verify(requirements, relabelled)).invalidReason).toBe(
      DeferredReason.voucherSignature,
    );

    // A second channel in the same period (to outrun the limit) is refused: the salt must be zero.
    const config = {
      ...(good.channelConfig as never as Parameters<typeof creditChannelIdOf>[0]),
      salt: `0x${'01'.repeat(32)}` as const,
    };
    const domain = { name: 'x402 Credit Ledger', version: '1', ledger: LEDGER_ADDRESS };
    const voucher = await signChannelVoucher(buyer.account, {
      channelId: creditChannelIdOf(config, domain),
      maxClaimableAmount: PRICE,
      domain,
    });
    expect(
      (await verify(requirements, { type: 'voucher', channelConfig: config, voucher }))
        .invalidReason,
    ).toBe(CreditReason.saltNotZero);
    expect(config.salt).not.toBe(ZERO_SALT);

    // Nothing was reserved by any of these.
    expect(await s.store.deferredLedger.get(good.voucher.channelId)).toBeUndefined();
  });

  it('lets one of two concurrent vouchers on a channel win; the other gets the channel state', async () => {
    const buyer = await newCreditBuyer(s);
    const requirements = await requirementsNow();
    // Two different vouchers, each valid on its own against charged = 0 (two prices), racing for
    // the channel's one reservation.
    const dearer = { ...requirements, amount: (2n * PRICE).toString() };
    const a = await createCreditClient({ privateKey: buyer.key }).create({
      requirements,
      resource: { url: URL },
    });
    const b = await createCreditClient({ privateKey: buyer.key }).create({
      requirements: dearer,
      resource: { url: URL },
    });
    const results = await Promise.all([verify(requirements, a.payload), verify(dearer, b.payload)]);
    expect(results.filter((r) => r.isValid)).toHaveLength(1);
    const loser = results.find((r) => !r.isValid);
    expect([DeferredReason.channelBusy, DeferredReason.cumulativeMismatch]).toContain(
      loser?.invalidReason,
    );
    const [winner, paid] = results[0]?.isValid ? [a, requirements] : [b, dearer];
    expect((await s.facilitator.settle(payloadOf(paid, winner.payload), paid)).success).toBe(true);
    const charged = BigInt(paid.amount);

    // A client that lost count pays through the corrective 402: it adopts the charged amount
    // proven by its own signature, and its second try is accepted.
    const amnesiac = createCreditClient({ privateKey: buyer.key });
    const client = createPaymentClient({
      schemes: [amnesiac],
      fetch: (input, init) => s.handle(new Request(input, init)),
    });
    const response = await client.fetch(URL);
    expect(response.status).toBe(200);
    const { channelId } = amnesiac.channelFor(requirements);
    expect((await s.store.deferredLedger.get(channelId))?.charged).toBe(charged + PRICE);
    expect(amnesiac.chargedOn(channelId)).toBe(charged + PRICE);
  });

  it('a handler failure releases the voucher: nothing is charged, the channel is free', async () => {
    const buyer = await newCreditBuyer(s);
    let fail = true;
    const client = createPaymentClient({
      schemes: [buyer.rail],
      fetch: (input, init) =>
        s.server.handle(new Request(input, init), s.route, () =>
          fail ? new Response('boom', { status: 500 }) : Response.json({ ok: 1 }),
        ),
    });
    expect((await client.fetch(URL)).status).toBe(500);
    const [channel] = await (s.facilitator.ledger.payerChannels?.({
      network: NETWORK,
      payer: buyer.account.address,
    }) ?? []);
    expect(channel?.charged ?? 0n).toBe(0n);
    expect(channel?.pending).toBeUndefined();
    // The next request is served at the right amount (the client is corrected if it counted it).
    fail = false;
    expect((await client.fetch(URL)).status).toBe(200);
    const [after] = await (s.facilitator.ledger.payerChannels?.({
      network: NETWORK,
      payer: buyer.account.address,
    }) ?? []);
    expect(after?.charged).toBe(PRICE);
  });
});

/**
 * The deferred rail's roles through core's engines on Anvil: paid requests charge the channel
 * ledger (no chain call), races and failures, replays and balances; then one redemption.
 */
import type { PaymentPayload } from '@x402-rails/core';
import { encodePaymentSignatureHeader } from '@x402-rails/core';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirementsExtraSchema } from '../src/payload.js';
import { DeferredReason } from '../src/reasons.js';
import { createVoucherPayload } from '../src/voucher-payload.js';
import { deferred, newBuyer, openShop, PRICE, refusalOf, type Shop, URL } from './roles-rig.js';

let chain: EvmTestChain;
let escrows: { escrow: `0x${string}`; collector: `0x${string}` };
let shop: Shop;

beforeAll(async () => {
  chain = await startEvmTestChain();
  escrows = await chain.deployDeferredEscrow();
  shop = await openShop(chain, escrows);
});

afterAll(async () => {
  await chain?.stop();
});

async function paidHeader(
  payload: PaymentPayload['payload'],
  requirements: PaymentPayload['accepted'],
) {
  return encodePaymentSignatureHeader({
    x402Version: 2,
    resource: { url: URL },
    accepted: requirements,
    payload,
  });
}

describe('paying with vouchers', () => {
  it('serves N paid requests, charging the ledger only, then redeems them in one transaction', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    const blockBefore = await chain.publicClient.getBlockNumber();
    for (let i = 0; i < 5; i++) {
      const response = await buyer.client.fetch(URL);
      expect(response.status).toBe(200);
      const receipt = buyer.client.receiptOf(response);
      expect(receipt?.settlement).toMatchObject({
        success: true,
        transaction: `${buyer.channelId}:${PRICE * BigInt(i + 1)}`,
      });
    }
    // No transaction on the request path.
    expect(await chain.publicClient.getBlockNumber()).toBe(blockBefore);
    const channel = await shop.ledger.get(buyer.channelId);
    expect(channel).toMatchObject({ charged: 5n * PRICE, claimed: 0n });
    expect(channel?.pending).toBeUndefined();

    const before = await chain.balanceOf(shop.merchant);
    const report = await shop.redeem({ channels: [buyer.channelId] });
    expect(report.batch?.state).toBe('confirmed');
    expect(report.batch?.channels).toEqual([
      expect.objectContaining({
        channelId: buyer.channelId,
        collected: 5n * PRICE,
        totalClaimed: 5n * PRICE,
      }),
    ]);
    expect(await chain.balanceOf(shop.merchant)).toBe(before + 5n * PRICE);
    expect((await shop.ledger.get(buyer.channelId))?.claimed).toBe(5n * PRICE);
  });

  it('of two concurrent requests on one channel, one is served and one gets the corrective 402', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    expect((await buyer.client.fetch(URL)).status).toBe(200); // charged: 1 price
    const entered = deferred();
    const finish = deferred();
    const slow = async () => {
      entered.resolve();
      await finish.promise;
      return Response.json({ ok: true });
    };
    // Both signed on the client's view (charged 1 price): A for 2 prices, B on top of A for 3.
    const first = await buyer.rail.create({
      requirements: buyer.requirements,
      resource: { url: URL },
    });
    const second = await buyer.rail.create({
      requirements: buyer.requirements,
      resource: { url: URL },
    });
    const a = shop.handle(
      new Request(URL, {
        headers: { 'payment-signature': await paidHeader(first.payload, buyer.requirements) },
      }),
      slow,
    );
    await entered.promise; // A holds the channel (pending) while its handler runs
    const b = await shop.handle(
      new Request(URL, {
        headers: { 'payment-signature': await paidHeader(second.payload, buyer.requirements) },
      }),
    );
    finish.resolve();
    expect((await a).status).toBe(200);
    expect(b.status).toBe(402);
    expect(((await b.json()) as { error: string }).error).toBe(DeferredReason.cumulativeMismatch);
    const state = requirementsExtraSchema.parse(refusalOf(b).accepts[0]?.extra);
    expect(state.channelState).toMatchObject({
      channelId: buyer.channelId,
      balance: '1000000',
      // A's voucher was in flight: the state points the client on top of it.
      chargedCumulativeAmount: (2n * PRICE).toString(),
    });
    expect(state.voucherState?.signedMaxClaimable).toBe((2n * PRICE).toString());
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(2n * PRICE);
  });

  it('a client that lost its place adopts the corrective state it signed and pays once more', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    // A fresh client on the same key and channel believes nothing is charged.
    const { createDeferredClient } = await import('../src/client/client.js');
    const { createPaymentClient } = await import('@x402-rails/core/client');
    const amnesiac = createDeferredClient({
      signer: buyer.account,
      escrows: { [chain.network]: escrows.escrow },
      saltFor: () => buyer.config.salt,
    });
    const client = createPaymentClient({
      schemes: [amnesiac],
      fetch: (input, init) => shop.handle(new Request(input, init)),
    });
    const response = await client.fetch(URL);
    expect(response.status).toBe(200);
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(3n * PRICE);
    expect(amnesiac.chargedOn(buyer.channelId)).toBe(3n * PRICE);
  });

  it('does not adopt a state the client did not sign', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    const forged = {
      ...buyer.requirements,
      extra: {
        ...buyer.requirements.extra,
        channelState: {
          channelId: buyer.channelId,
          balance: '1000000',
          totalClaimed: '0',
          withdrawRequestedAt: 0,
          refundNonce: '0',
          chargedCumulativeAmount: '900000',
        },
        voucherState: { signedMaxClaimable: '900000', signature: `0x${'11'.repeat(65)}` },
      },
    };
    expect(buyer.rail.retryAfterRefusal?.(forged)).toBe(false);
    await buyer.rail.create({ requirements: forged, resource: { url: URL } });
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(PRICE);
  });

  it('a handler failure releases the voucher: nothing is charged', async () => {
    let fail = true;
    const buyer = await newBuyer(shop, 1_000_000n, () =>
      fail ? new Response('boom', { status: 500 }) : Response.json({ ok: true }),
    );
    const failed = await buyer.client.fetch(URL);
    expect(failed.status).toBe(500);
    const channel = await shop.ledger.get(buyer.channelId);
    expect(channel?.charged ?? 0n).toBe(0n);
    expect(channel?.pending).toBeUndefined();
    // The client counted it; the next request is corrected and served at the right amount.
    fail = false;
    const ok = await newBuyerClientFetch(buyer);
    expect(ok.status).toBe(200);
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(PRICE);
  });

  it('refuses a replayed voucher and a stale one', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    const created = await buyer.rail.create({
      requirements: buyer.requirements,
      resource: { url: URL },
    });
    const header = await paidHeader(created.payload, buyer.requirements);
    expect(
      (await shop.handle(new Request(URL, { headers: { 'payment-signature': header } }))).status,
    ).toBe(200);
    const replay = await shop.handle(
      new Request(URL, { headers: { 'payment-signature': header } }),
    );
    expect(replay.status).toBe(402);
    // Straight to the facilitator role (another server's payment ledger would not know it).
    const stale = await shop.facilitator.verify(
      {
        x402Version: 2,
        resource: { url: URL },
        accepted: buyer.requirements,
        payload: created.payload,
      },
      buyer.requirements,
    );
    expect(stale).toMatchObject({
      isValid: false,
      invalidReason: DeferredReason.cumulativeMismatch,
    });
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(PRICE);
  });

  it('refuses a voucher above the escrow balance, and takes it after a top-up', async () => {
    const buyer = await newBuyer(shop, 2_500n);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    const over = await buyer.client.fetch(URL);
    expect(over.status).toBe(402);
    expect(((await over.json()) as { error: string }).error).toBe(
      DeferredReason.cumulativeExceedsBalance,
    );
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(2n * PRICE);
    await shop.h.depositApproved(buyer.account, buyer.config, 10_000n);
    expect((await newBuyerClientFetch(buyer)).status).toBe(200);
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(3n * PRICE);
  });

  it('refuses a voucher signed by someone else', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    const intruder = (await chain.newWallet()).account;
    const payload = await createVoucherPayload(intruder, {
      config: buyer.config,
      charged: 0n,
      price: PRICE,
      domain: shop.h.domain,
    });
    const response = await shop.handle(
      new Request(URL, {
        headers: { 'payment-signature': await paidHeader(payload, buyer.requirements) },
      }),
    );
    expect(response.status).toBe(402);
    expect(((await response.json()) as { error: string }).error).toBe(
      DeferredReason.voucherSignature,
    );
    expect(await shop.ledger.get(buyer.channelId)).toBeUndefined();
  });
});

/** One more paid fetch of a buyer (the client corrects itself through the 402 if needed). */
async function newBuyerClientFetch(buyer: Awaited<ReturnType<typeof newBuyer>>) {
  return buyer.client.fetch(URL);
}

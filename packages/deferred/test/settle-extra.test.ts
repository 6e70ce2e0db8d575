/**
 * The settle response's `extra` (the official binding's `chargedAmount`, `channelState`,
 * `voucherState`): the facilitator reports the charged voucher, and the client adopts a settle
 * state only when it is its own channel's, proven by its own signature, and ahead of what it counted.
 */
import type { SettleResponse } from '@x402-rails/core';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleResponseExtraSchema } from '../src/payload.js';
import { verifyVoucherSignature } from '../src/voucher.js';
import { createVoucherPayload } from '../src/voucher-payload.js';
import { newBuyer, openShop, PRICE, type Shop, URL } from './roles-rig.js';

let chain: EvmTestChain;
let shop: Shop;

beforeAll(async () => {
  chain = await startEvmTestChain();
  shop = await openShop(chain, await chain.deployDeferredEscrow());
});

afterAll(async () => {
  await chain?.stop();
});

describe('settle response extra', () => {
  it('carries the charged amount and the voucher now charged, signed by the payer', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    for (let i = 1n; i <= 3n; i++) {
      const response = await buyer.client.fetch(URL);
      expect(response.status).toBe(200);
      const settlement = buyer.client.receiptOf(response)?.settlement;
      const extra = settleResponseExtraSchema.parse(settlement?.extra);
      expect(extra).toMatchObject({
        chargedAmount: PRICE.toString(),
        channelState: {
          channelId: buyer.channelId,
          chargedCumulativeAmount: (i * PRICE).toString(),
        },
        voucherState: { signedMaxClaimable: (i * PRICE).toString() },
      });
      const signature = extra.voucherState?.signature;
      if (!signature) throw new Error('no signature in the settle state');
      const check = verifyVoucherSignature({
        config: buyer.config,
        voucher: {
          channelId: buyer.channelId,
          maxClaimableAmount: (i * PRICE).toString(),
          signature,
        },
        domain: shop.h.domain,
      });
      expect(check.ok).toBe(true);
    }
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(3n * PRICE);
  });

  it('the client adopts only a proven state of its own channel, and only forward', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(PRICE);
    const signed = async (cumulative: bigint) =>
      (
        await createVoucherPayload(buyer.account, {
          config: buyer.config,
          charged: cumulative - PRICE,
          price: PRICE,
          domain: shop.h.domain,
        })
      ).voucher;
    const settlementWith = (
      channelId: string,
      cumulative: bigint,
      signature: `0x${string}`,
    ): SettleResponse => ({
      success: true,
      transaction: `${channelId}:${cumulative}`,
      network: chain.network,
      extra: {
        chargedAmount: PRICE.toString(),
        channelState: { channelId, chargedCumulativeAmount: cumulative.toString() },
        voucherState: { signedMaxClaimable: cumulative.toString(), signature },
      },
    });
    const settled = (settlement: SettleResponse) =>
      buyer.rail.settled?.({ requirements: buyer.requirements, payload: {}, settlement });

    // Someone else's signature over a higher amount: ignored.
    const stranger = await newBuyer(shop, 0n);
    const foreign = await createVoucherPayload(stranger.account, {
      config: buyer.config,
      charged: 9n * PRICE,
      price: PRICE,
      domain: shop.h.domain,
    });
    await settled(settlementWith(buyer.channelId, 10n * PRICE, foreign.voucher.signature));
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(PRICE);

    // Our own signature, but the state names another channel, or another amount: ignored.
    const five = await signed(5n * PRICE);
    await settled(settlementWith(stranger.channelId, 5n * PRICE, five.signature));
    await settled(settlementWith(buyer.channelId, 6n * PRICE, five.signature));
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(PRICE);

    // Unreadable extra: ignored.
    await settled({
      ...settlementWith(buyer.channelId, 5n * PRICE, five.signature),
      extra: { channelState: 'x' },
    });
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(PRICE);

    // Proven and ahead (another instance of this payer paid meanwhile): adopted.
    await settled(settlementWith(buyer.channelId, 5n * PRICE, five.signature));
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(5n * PRICE);

    // Proven but behind what this client already counted: it never goes back on a settle.
    const two = await signed(2n * PRICE);
    await settled(settlementWith(buyer.channelId, 2n * PRICE, two.signature));
    expect(buyer.rail.chargedOn(buyer.channelId)).toBe(5n * PRICE);
  });
});

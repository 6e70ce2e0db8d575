/**
 * Redemption on Anvil: the claimed total equals the served prices exactly; a second run pays
 * nothing; a run killed after sending (or after journaling) is finished by the next without a
 * double claim; a withdrawal in its delay is still claimed; thresholds hold a batch back.
 */
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeferredRoleReason } from '../src/facilitator/reasons.js';
import { withdrawalsInitiated } from '../src/redeem/chain.js';
import { initiateWithdraw, newBuyer, openShop, PRICE, type Shop, URL } from './roles-rig.js';

let chain: EvmTestChain;
let escrows: { escrow: `0x${string}`; collector: `0x${string}` };

beforeAll(async () => {
  chain = await startEvmTestChain();
  escrows = await chain.deployDeferredEscrow();
});

afterAll(async () => {
  await chain?.stop();
});

/** A fresh shop (its own ledger) with `buyers` buyers who made `requests[i]` paid requests each. */
async function servedShop(
  requests: number[],
): Promise<{ shop: Shop; served: bigint; buyers: Awaited<ReturnType<typeof newBuyer>>[] }> {
  const shop = await openShop(chain, escrows);
  const buyers = [];
  let served = 0n;
  for (const count of requests) {
    const buyer = await newBuyer(shop, 1_000_000n);
    for (let i = 0; i < count; i++) {
      expect((await buyer.client.fetch(URL)).status).toBe(200);
      served += PRICE;
    }
    buyers.push(buyer);
  }
  return { shop, served, buyers };
}

describe('redemption', () => {
  it('claims every channel in one transaction: the total is exactly the served prices', async () => {
    const { shop, served, buyers } = await servedShop([3, 1, 4]);
    const before = await chain.balanceOf(shop.merchant);
    const report = await shop.redeem();
    expect(report.batch?.state).toBe('confirmed');
    expect(report.batch?.channels.map((c) => c.channelId).sort()).toEqual(
      buyers.map((b) => b.channelId).sort(),
    );
    expect(report.collected).toBe(served);
    expect(await chain.balanceOf(shop.merchant)).toBe(before + served);
    for (const [i, buyer] of buyers.entries()) {
      const expected = PRICE * BigInt([3, 1, 4][i] ?? 0);
      expect(await shop.h.channel(buyer.config)).toEqual({
        balance: 1_000_000n,
        totalClaimed: expected,
      });
      expect((await shop.ledger.get(buyer.channelId))?.claimed).toBe(expected);
    }
  });

  it('run twice pays once', async () => {
    const { shop, served } = await servedShop([2, 2]);
    const before = await chain.balanceOf(shop.merchant);
    const first = await shop.redeem();
    const second = await shop.redeem();
    expect(first.collected).toBe(served);
    expect(second).toMatchObject({ skipped: 'nothing_redeemable', collected: 0n });
    expect(await chain.balanceOf(shop.merchant)).toBe(before + served);
  });

  it('a run killed after sending is finished by the next, without a double claim', async () => {
    const { shop, served } = await servedShop([2, 3]);
    const before = await chain.balanceOf(shop.merchant);
    const crash = new Error('killed after send');
    await expect(
      shop.redeem({
        hooks: {
          afterSend: () => {
            throw crash;
          },
        },
      }),
    ).rejects.toBe(crash);
    // Sent but unrecorded: the ledger still owes it, the journal holds the transaction.
    expect(await shop.ledger.pendingRedemptions()).toHaveLength(1);
    expect(await shop.ledger.redeemable({ limit: 10 })).toHaveLength(2);
    const rerun = await shop.redeem();
    expect(rerun.resumed).toHaveLength(1);
    expect(rerun.resumed[0]?.collected).toBe(served);
    expect(rerun.batch).toBeUndefined();
    expect(await shop.ledger.pendingRedemptions()).toEqual([]);
    expect(await chain.balanceOf(shop.merchant)).toBe(before + served);
  });

  it('a run killed after journaling, before sending, is sent by the next (same transaction)', async () => {
    const { shop, served } = await servedShop([1, 2]);
    const before = await chain.balanceOf(shop.merchant);
    let journaled: string | undefined;
    await expect(
      shop.redeem({
        hooks: {
          afterJournal: (record) => {
            journaled = record.transaction;
            throw new Error('killed before send');
          },
        },
      }),
    ).rejects.toThrow('killed before send');
    expect(await chain.balanceOf(shop.merchant)).toBe(before);
    const rerun = await shop.redeem();
    expect(rerun.resumed[0]).toMatchObject({
      transaction: journaled,
      state: 'confirmed',
      collected: served,
    });
    expect(await chain.balanceOf(shop.merchant)).toBe(before + served);
  });

  it('holds a batch below the threshold, but claims a channel whose withdrawal started', async () => {
    const { shop, served, buyers } = await servedShop([2]);
    const buyer = buyers[0];
    if (!buyer) throw new Error('no buyer');
    expect(await shop.redeem({ minTotal: served + 1n })).toMatchObject({
      skipped: 'below_threshold',
    });
    const fromBlock = await chain.publicClient.getBlockNumber();
    await initiateWithdraw(shop, buyer, 1_000_000n);
    expect(await withdrawalsInitiated(chain.publicClient, escrows.escrow, fromBlock)).toEqual([
      buyer.channelId.toLowerCase(),
    ]);
    // During the delay, new vouchers are still taken until the end nears ...
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    const total = served + PRICE;
    // ... and redemption claims them, threshold or not.
    const before = await chain.balanceOf(shop.merchant);
    const report = await shop.redeem({ minTotal: 10n ** 12n, channels: [buyer.channelId] });
    expect(report.collected).toBe(total);
    expect(await chain.balanceOf(shop.merchant)).toBe(before + total);
    // The payer gets the rest once the delay is over.
    const payerBefore = await chain.balanceOf(buyer.account.address);
    await chain.increaseTime(901);
    await shop.h.confirm(
      await shop.h.clientOf(buyer.account).writeContract({
        address: escrows.escrow,
        abi: (await import('../src/escrow-abi.js')).escrowAbi,
        functionName: 'finalizeWithdraw',
        args: [(await import('../src/escrow-calls.js')).channelConfigArg(buyer.config)],
      }),
    );
    expect(await chain.balanceOf(buyer.account.address)).toBe(payerBefore + 1_000_000n - total);
  });

  it('reports a channel emptied by a finished withdrawal as unpayable debt, and sends nothing', async () => {
    const { shop, buyers } = await servedShop([2]);
    const buyer = buyers[0];
    if (!buyer) throw new Error('no buyer');
    await initiateWithdraw(shop, buyer, 1_000_000n);
    await chain.increaseTime(901);
    const { escrowAbi } = await import('../src/escrow-abi.js');
    const { channelConfigArg } = await import('../src/escrow-calls.js');
    await shop.h.confirm(
      await shop.h.clientOf(buyer.account).writeContract({
        address: escrows.escrow,
        abi: escrowAbi,
        functionName: 'finalizeWithdraw',
        args: [channelConfigArg(buyer.config)],
      }),
    );
    const report = await shop.redeem();
    expect(report).toMatchObject({ skipped: 'nothing_redeemable', collected: 0n });
    expect(report.unpayable).toEqual([
      { channelId: buyer.channelId, payer: buyer.account.address, owed: 2n * PRICE },
    ]);
  });

  it('refuses vouchers once a withdrawal is about to complete', async () => {
    // The facilitator's clock is the chain's plus 14 minutes (other tests moved the chain's on):
    // a 15-minute withdrawal starting now is about to complete.
    const chainNow = Number((await chain.publicClient.getBlock()).timestamp);
    const shop = await openShop(chain, escrows, {
      now: () => (chainNow + 14 * 60) * 1000,
      closingMarginSeconds: 300,
    });
    const buyer = await newBuyer(shop, 1_000_000n);
    expect((await buyer.client.fetch(URL)).status).toBe(200);
    await initiateWithdraw(shop, buyer, 1n);
    const refused = await buyer.client.fetch(URL);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: string }).error).toBe(
      DeferredRoleReason.channelClosing,
    );
  });
});

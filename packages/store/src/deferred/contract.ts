/**
 * The contract every DeferredLedger driver must meet, as a vitest suite a driver's tests call:
 *
 *   runDeferredLedgerContract('memory', async () => createMemoryDeferredLedger());
 *
 * `makeLedger` must return a ledger with no channels (a fresh database or a fresh schema). The
 * cases of an optional member (`payerChannels`) are skipped on a driver without it.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelIdentity, DeferredLedger, Hex, RedemptionRecord } from './types.js';

const T0 = 1_700_000_000_000;
let channelCounter = 0;

const PAYER: Hex = '0x1111111111111111111111111111111111111111';
const RECEIVER: Hex = '0x2222222222222222222222222222222222222222';

/** An on-chain channel (its terms an escrow channel config); `parties` moves it elsewhere. */
function identity(
  parties: { network?: string; payer?: Hex; receiver?: Hex } = {},
): ChannelIdentity {
  channelCounter += 1;
  const n = channelCounter.toString(16).padStart(8, '0');
  const channelId = `0x${'ab'.repeat(28)}${n}` as Hex;
  const payer = parties.payer ?? PAYER;
  const receiver = parties.receiver ?? RECEIVER;
  return {
    channelId,
    network: parties.network ?? 'eip155:31337',
    escrow: '0x4020074e9df2ce1dee5a9c1b5c3f541d02a10003',
    asset: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
    payer,
    receiver,
    config: {
      payer,
      payerAuthorizer: payer,
      receiver,
      receiverAuthorizer: receiver,
      token: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
      withdrawDelay: 86_400,
      salt: `0x${n.padStart(64, '0')}`,
    },
  };
}

/** A credit-backed channel: a currency instead of a token, billing terms instead of an escrow's. */
function creditIdentity(): ChannelIdentity {
  channelCounter += 1;
  const n = channelCounter.toString(16).padStart(8, '0');
  return {
    channelId: `0x${'cd'.repeat(28)}${n}`,
    network: 'x402-credit:test',
    escrow: '0x5555555555555555555555555555555555555555',
    asset: 'usd',
    payer: PAYER,
    receiver: RECEIVER,
    config: { billingIdentity: `cus_${n}`, creditLimit: '5000000', periodEnd: 1_700_086_400 },
  };
}

const sig = (byte: string): Hex => `0x${byte.repeat(65)}`;

export interface DeferredLedgerContractOptions {
  /** Closes what `makeLedger` opened (a pool, a database). */
  dispose?(ledger: DeferredLedger): Promise<void>;
}

export function runDeferredLedgerContract(
  name: string,
  makeLedger: () => Promise<DeferredLedger>,
  options: DeferredLedgerContractOptions = {},
): void {
  async function withLedger(body: (ledger: DeferredLedger) => Promise<void>): Promise<void> {
    const ledger = await makeLedger();
    try {
      await body(ledger);
    } finally {
      await options.dispose?.(ledger);
    }
  }

  async function charge(
    ledger: DeferredLedger,
    channel: ChannelIdentity,
    from: bigint,
    to: bigint,
    id: string,
    now = T0,
  ) {
    const reserved = await ledger.reserve({
      channel,
      expectedCharged: from,
      voucher: { maxClaimableAmount: to, signature: sig('11') },
      pendingId: id,
      expiresAt: now + 60_000,
      now,
    });
    expect(reserved.reserved).toBe(true);
    const committed = await ledger.commit(id, now + 1);
    expect(committed.committed).toBe(true);
    return committed.channel;
  }

  describe(`deferred ledger contract: ${name}`, () => {
    it('creates a channel on its first reservation and keeps the terms', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        expect(await ledger.get(channel.channelId)).toBeUndefined();
        const result = await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 1000n, signature: sig('aa') },
          pendingId: 'p1',
          expiresAt: T0 + 1000,
          now: T0,
        });
        expect(result.reserved).toBe(true);
        const stored = await ledger.get(channel.channelId);
        expect(stored).toMatchObject({
          channelId: channel.channelId,
          network: channel.network,
          charged: 0n,
          claimed: 0n,
          pending: {
            id: 'p1',
            maxClaimableAmount: 1000n,
            signature: sig('aa'),
            expiresAt: T0 + 1000,
          },
        });
        expect(stored?.config).toEqual(channel.config);
        expect(stored?.chargedVoucher).toBeUndefined();
      }));

    it('a failed reservation on an unknown channel creates nothing', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        const result = await ledger.reserve({
          channel,
          expectedCharged: 500n,
          voucher: { maxClaimableAmount: 1500n, signature: sig('aa') },
          pendingId: 'p1',
          expiresAt: T0 + 1000,
          now: T0,
        });
        expect(result).toEqual({ reserved: false, reason: 'charged_mismatch', channel: undefined });
        expect(await ledger.get(channel.channelId)).toBeUndefined();
      }));

    it('exactly one of 10 concurrent reservations on one channel wins', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await charge(ledger, channel, 0n, 100n, 'first');
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            ledger.reserve({
              channel,
              expectedCharged: 100n,
              voucher: { maxClaimableAmount: 200n + BigInt(i), signature: sig('cd') },
              pendingId: `race-${i}`,
              expiresAt: T0 + 60_000,
              now: T0 + 10,
            }),
          ),
        );
        const winners = results.filter((r) => r.reserved);
        expect(winners).toHaveLength(1);
        for (const loser of results.filter((r) => !r.reserved)) {
          expect(loser).toMatchObject({ reserved: false, reason: 'busy' });
          expect(loser.channel?.charged).toBe(100n);
        }
        const stored = await ledger.get(channel.channelId);
        expect(stored?.pending?.id).toBe(winners[0]?.channel.pending?.id);
      }));

    it('exactly one of 10 concurrent first reservations of a new channel wins', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            ledger.reserve({
              channel,
              expectedCharged: 0n,
              voucher: { maxClaimableAmount: 10n, signature: sig('cd') },
              pendingId: `new-${i}`,
              expiresAt: T0 + 60_000,
              now: T0,
            }),
          ),
        );
        expect(results.filter((r) => r.reserved)).toHaveLength(1);
      }));

    it('refuses a reservation whose expected charged is stale, returning the current channel', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await charge(ledger, channel, 0n, 100n, 'a');
        const result = await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 100n, signature: sig('ee') },
          pendingId: 'replay',
          expiresAt: T0 + 60_000,
          now: T0 + 5,
        });
        expect(result.reserved).toBe(false);
        if (!result.reserved) expect(result.reason).toBe('charged_mismatch');
        expect(result.channel?.charged).toBe(100n);
        expect(result.channel?.chargedVoucher?.signature).toBe(sig('11'));
        expect((await ledger.get(channel.channelId))?.pending).toBeUndefined();
      }));

    it('commit moves pending to charged and is idempotent', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 300n, signature: sig('aa') },
          pendingId: 'c1',
          expiresAt: T0 + 60_000,
          now: T0,
        });
        const first = await ledger.commit('c1', T0 + 1);
        const second = await ledger.commit('c1', T0 + 2);
        expect(first.committed && second.committed).toBe(true);
        // Only the call that made the transition says so.
        expect(first.committed && (first.alreadyCommitted ?? false)).toBe(false);
        expect(second.committed && second.alreadyCommitted).toBe(true);
        expect(second.channel?.charged).toBe(300n);
        expect(second.channel?.pending).toBeUndefined();
        expect(second.channel?.chargedVoucher).toMatchObject({
          maxClaimableAmount: 300n,
          signature: sig('aa'),
          commitmentId: 'c1',
        });
        expect((await ledger.commit('never-reserved', T0 + 3)).committed).toBe(false);
      }));

    it('of 10 concurrent commits of one reservation, exactly one makes the transition', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 40n, signature: sig('aa') },
          pendingId: 'cc',
          expiresAt: T0 + 60_000,
          now: T0,
        });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => ledger.commit('cc', T0 + 1 + i)),
        );
        expect(results.every((r) => r.committed)).toBe(true);
        expect(results.filter((r) => r.committed && !r.alreadyCommitted)).toHaveLength(1);
        expect((await ledger.get(channel.channelId))?.charged).toBe(40n);
      }));

    it('release drops only its own pending voucher and is idempotent', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 300n, signature: sig('aa') },
          pendingId: 'r1',
          expiresAt: T0 + 60_000,
          now: T0,
        });
        await ledger.release('other', T0 + 1);
        expect((await ledger.get(channel.channelId))?.pending?.id).toBe('r1');
        await ledger.release('r1', T0 + 1);
        await ledger.release('r1', T0 + 2);
        const stored = await ledger.get(channel.channelId);
        expect(stored?.pending).toBeUndefined();
        expect(stored?.charged).toBe(0n);
        expect((await ledger.commit('r1', T0 + 3)).committed).toBe(false);
        // released, the channel takes the next voucher at the same charged amount
        await charge(ledger, channel, 0n, 300n, 'r2', T0 + 4);
      }));

    it('release after commit changes nothing', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        await charge(ledger, channel, 0n, 50n, 'k1');
        await ledger.release('k1', T0 + 10);
        expect((await ledger.get(channel.channelId))?.charged).toBe(50n);
      }));

    it('an expired pending voucher does not block, and a live one does', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        const reserve = (id: string, now: number) =>
          ledger.reserve({
            channel,
            expectedCharged: 0n,
            voucher: { maxClaimableAmount: 10n, signature: sig('aa') },
            pendingId: id,
            expiresAt: now + 1000,
            now,
          });
        expect((await reserve('old', T0)).reserved).toBe(true);
        expect(await reserve('blocked', T0 + 999)).toMatchObject({
          reserved: false,
          reason: 'busy',
        });
        expect((await reserve('new', T0 + 1000)).reserved).toBe(true);
        expect((await ledger.commit('old', T0 + 1001)).committed).toBe(false);
        expect((await ledger.commit('new', T0 + 1001)).committed).toBe(true);
      }));

    it('reserving again under the same pending id is idempotent', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        const input = {
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 10n, signature: sig('aa') },
          pendingId: 'same',
          expiresAt: T0 + 1000,
          now: T0,
        };
        expect((await ledger.reserve(input)).reserved).toBe(true);
        expect((await ledger.reserve(input)).reserved).toBe(true);
      }));

    it('lists redeemable channels and records claims monotonically', () =>
      withLedger(async (ledger) => {
        const a = identity();
        const b = identity();
        const c = identity();
        await charge(ledger, a, 0n, 100n, 'a1');
        await charge(ledger, a, 100n, 250n, 'a2');
        await charge(ledger, b, 0n, 5n, 'b1');
        await ledger.reserve({
          channel: c,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 7n, signature: sig('aa') },
          pendingId: 'c-only-pending',
          expiresAt: T0 + 60_000,
          now: T0,
        });
        const ids = (await ledger.redeemable({ limit: 100 })).map((ch) => ch.channelId);
        expect(ids).toContain(a.channelId);
        expect(ids).toContain(b.channelId);
        expect(ids).not.toContain(c.channelId);
        const big = await ledger.redeemable({ limit: 100, minUnclaimed: 100n });
        expect(big.map((ch) => ch.channelId)).toEqual([a.channelId]);
        expect(await ledger.redeemable({ limit: 100, network: 'eip155:1' })).toEqual([]);

        expect((await ledger.recordClaim(a.channelId, 200n, T0 + 5))?.claimed).toBe(200n);
        expect((await ledger.recordClaim(a.channelId, 150n, T0 + 6))?.claimed).toBe(200n);
        expect((await ledger.recordClaim(a.channelId, 250n, T0 + 7))?.claimed).toBe(250n);
        const after = (await ledger.redeemable({ limit: 100 })).map((ch) => ch.channelId);
        expect(after).not.toContain(a.channelId);
        expect(await ledger.recordClaim(identity().channelId, 1n, T0)).toBeUndefined();
      }));

    it('keeps opaque terms and a non-token asset (a credit-backed channel)', () =>
      withLedger(async (ledger) => {
        const channel = creditIdentity();
        await charge(ledger, channel, 0n, 2_500n, 'credit-1');
        const stored = await ledger.get(channel.channelId);
        expect(stored).toMatchObject({
          asset: 'usd',
          network: 'x402-credit:test',
          charged: 2_500n,
        });
        expect(stored?.config).toEqual(channel.config);
        expect(typeof stored?.config['periodEnd']).toBe('number');
        expect(typeof stored?.config['creditLimit']).toBe('string');
      }));

    it("lists one payer's channels on one network, oldest first", (ctx) =>
      withLedger(async (ledger) => {
        if (!ledger.payerChannels) return ctx.skip();
        const payer: Hex = '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa';
        const other: Hex = '0x3333333333333333333333333333333333333333';
        const first = identity({ payer });
        const second = identity({ payer, receiver: other });
        const otherNetwork = identity({ payer, network: 'eip155:1' });
        const otherPayer = identity({ payer: other });
        await charge(ledger, second, 0n, 30n, 'pc-2', T0 + 20);
        await charge(ledger, first, 0n, 10n, 'pc-1', T0 + 10);
        await charge(ledger, first, 10n, 25n, 'pc-1b', T0 + 30);
        await charge(ledger, otherNetwork, 0n, 99n, 'pc-3', T0);
        await charge(ledger, otherPayer, 0n, 99n, 'pc-4', T0);
        await ledger.recordClaim(first.channelId, 5n, T0 + 40);

        const all = await ledger.payerChannels({
          network: 'eip155:31337',
          payer: payer.toLowerCase() as Hex,
        });
        expect(all.map((c) => c.channelId)).toEqual([first.channelId, second.channelId]);
        expect(all.map((c) => [c.charged, c.claimed])).toEqual([
          [25n, 5n],
          [30n, 0n],
        ]);
        const toOther = await ledger.payerChannels({
          network: 'eip155:31337',
          payer,
          receiver: other,
        });
        expect(toOther.map((c) => c.channelId)).toEqual([second.channelId]);
        expect(
          await ledger.payerChannels({
            network: 'eip155:31337',
            payer: '0x4444444444444444444444444444444444444444',
          }),
        ).toEqual([]);
      }));

    it("lists a channel that holds only a reservation among its payer's", (ctx) =>
      withLedger(async (ledger) => {
        if (!ledger.payerChannels) return ctx.skip();
        const channel = identity({ payer: '0x6666666666666666666666666666666666666666' });
        await ledger.reserve({
          channel,
          expectedCharged: 0n,
          voucher: { maxClaimableAmount: 7n, signature: sig('aa') },
          pendingId: 'pc-pending',
          expiresAt: T0 + 60_000,
          now: T0,
        });
        const [listed] = await ledger.payerChannels({
          network: channel.network,
          payer: channel.payer,
        });
        expect(listed).toMatchObject({ channelId: channel.channelId, charged: 0n });
        expect(listed?.pending?.maxClaimableAmount).toBe(7n);
      }));

    it('round-trips uint128 amounts exactly', () =>
      withLedger(async (ledger) => {
        const channel = identity();
        const max = (1n << 128n) - 1n;
        await charge(ledger, channel, 0n, max - 1n, 'big1');
        await charge(ledger, channel, max - 1n, max, 'big2');
        await ledger.recordClaim(channel.channelId, max - 7n, T0 + 9);
        const stored = await ledger.get(channel.channelId);
        expect(stored?.charged).toBe(max);
        expect(stored?.chargedVoucher?.maxClaimableAmount).toBe(max);
        expect(stored?.claimed).toBe(max - 7n);
        expect(typeof stored?.charged).toBe('bigint');
      }));

    it('records redemptions in a journal, once, and finishes them once', () =>
      withLedger(async (ledger) => {
        const record: RedemptionRecord = {
          id: 'batch-1',
          network: 'eip155:31337',
          escrow: '0x4020074e9df2ce1dee5a9c1b5c3f541d02a10003',
          vouchers: [
            {
              channelId: `0x${'01'.repeat(32)}`,
              maxClaimableAmount: (1n << 127n) + 3n,
              signature: sig('aa'),
            },
          ],
          transaction: `0x${'fe'.repeat(32)}`,
          rawTransaction: '0x02f8',
          sender: '0x3333333333333333333333333333333333333333',
          nonce: 7,
          state: 'pending',
          createdAt: T0,
          updatedAt: T0,
        };
        await ledger.saveRedemption(record);
        await ledger.saveRedemption({ ...record, nonce: 8 });
        const pending = await ledger.pendingRedemptions();
        expect(pending).toEqual([record]);
        expect((await ledger.finishRedemption('batch-1', 'confirmed', T0 + 1))?.state).toBe(
          'confirmed',
        );
        expect((await ledger.finishRedemption('batch-1', 'dropped', T0 + 2))?.state).toBe(
          'confirmed',
        );
        expect(await ledger.pendingRedemptions()).toEqual([]);
        expect(await ledger.finishRedemption('unknown', 'dropped', T0)).toBeUndefined();
      }));
  });
}

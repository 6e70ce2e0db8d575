/**
 * The facilitator's request path touches the ledger twice per voucher — the reservation at verify,
 * the commit at settle — and reads it only for a voucher it refuses or a settle it did not
 * reserve. What the reads used to decide must still come out the same: stale and skipping vouchers
 * get the corrective reason, and a voucher is charged once.
 */
import { createMemoryDeferredLedger } from '@x402-rails/store';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  channelConfigOf,
  channelIdOf,
  fundedNetwork,
  PRICE,
  requirements,
  voucherPaymentOf,
} from '../../test/voucher-fixture.js';
import type { DeferredLedger } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import { createDeferredFacilitator } from './facilitator.js';

/** The memory ledger, counting the calls made to it. */
function countingLedger() {
  const inner = createMemoryDeferredLedger();
  const calls: string[] = [];
  const ledger = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  }) as DeferredLedger;
  return { ledger, calls };
}

function setup() {
  const { ledger, calls } = countingLedger();
  const facilitator = createDeferredFacilitator({
    ledger,
    networks: [fundedNetwork],
    chainStateTtlMs: 3_600_000,
  });
  const payer = privateKeyToAccount(generatePrivateKey());
  const config = channelConfigOf(payer, 1);
  const voucher = (charged: bigint) => voucherPaymentOf(payer, config, charged);
  return { ledger, calls, facilitator, voucher };
}

describe('the deferred request path', () => {
  it('reserves at verify and commits at settle, reading nothing', async () => {
    const { calls, facilitator, voucher, ledger } = setup();
    for (const charged of [0n, PRICE, 2n * PRICE]) {
      const payload = await voucher(charged);
      expect((await facilitator.verify(payload, requirements)).isValid).toBe(true);
      expect((await facilitator.settle(payload, requirements)).success).toBe(true);
    }
    expect(calls).toEqual(['reserve', 'commit', 'reserve', 'commit', 'reserve', 'commit']);
    expect((await ledger.get(channelIdOf(await voucher(0n))))?.charged).toBe(3n * PRICE);
  });

  it('refuses a replayed and a skipping voucher with the corrective reason, changing nothing', async () => {
    const { facilitator, voucher, ledger } = setup();
    const first = await voucher(0n);
    await facilitator.verify(first, requirements);
    await facilitator.settle(first, requirements);
    const channelId = channelIdOf(first);
    for (const stale of [first, await voucher(0n), await voucher(2n * PRICE)]) {
      const verdict = await facilitator.verify(stale, requirements);
      expect(verdict).toMatchObject({
        isValid: false,
        invalidReason: DeferredReason.cumulativeMismatch,
      });
    }
    const settledAgain = await facilitator.settle(first, requirements);
    expect(settledAgain).toMatchObject({ success: false, errorReason: 'payment_already_used' });
    const channel = await ledger.get(channelId);
    expect(channel?.charged).toBe(PRICE);
    expect(channel?.pending).toBeUndefined();
  });

  it('one voucher presented by two concurrent requests is charged once', async () => {
    const { facilitator, voucher, ledger } = setup();
    const payload = await voucher(0n);
    const verdicts = await Promise.all(
      [payload, payload].map((p) => facilitator.verify(p, requirements)),
    );
    // The second finds its own voucher holding the channel: valid, and only one settle charges.
    expect(verdicts.map((v) => v.isValid)).toEqual([true, true]);
    const settled = await Promise.all(
      [payload, payload].map((p) => facilitator.settle(p, requirements)),
    );
    expect(settled.filter((s) => s.success)).toHaveLength(1);
    expect((await ledger.get(channelIdOf(payload)))?.charged).toBe(PRICE);
  });

  it('settles a voucher verified by another instance (no hint), once', async () => {
    const { facilitator, voucher, ledger } = setup();
    const other = createDeferredFacilitator({ ledger, networks: [fundedNetwork] });
    const payload = await voucher(0n);
    expect((await other.verify(payload, requirements)).isValid).toBe(true);
    expect((await facilitator.settle(payload, requirements)).success).toBe(true);
    expect(await other.settle(payload, requirements)).toMatchObject({
      success: false,
      errorReason: 'payment_already_used',
    });
  });

  it('release drops the reservation it made; the channel takes the next voucher', async () => {
    const { facilitator, voucher, ledger } = setup();
    const payload = await voucher(0n);
    await facilitator.verify(payload, requirements);
    await facilitator.release?.(payload, requirements);
    const channelId = channelIdOf(payload);
    expect((await ledger.get(channelId))?.pending).toBeUndefined();
    // The next request on the channel is taken at the same charged amount.
    const next = await voucher(0n);
    expect((await facilitator.verify(next, requirements)).isValid).toBe(true);
    expect((await facilitator.settle(next, requirements)).success).toBe(true);
    expect((await ledger.get(channelId))?.charged).toBe(PRICE);
  });
});

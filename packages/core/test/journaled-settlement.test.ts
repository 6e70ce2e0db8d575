import { createToyRail } from '@x402-rails/testkit';
import { describe, expect, it } from 'vitest';
import { createFacilitator } from '../src/facilitator.js';
import { createMemorySettlementJournal, type SchemeFacilitator, X402Error } from '../src/index.js';
import { toyPayer } from './helpers.js';

async function fixture(
  options: {
    leaseMs?: number;
    rail?: (toy: ReturnType<typeof createToyRail>) => SchemeFacilitator;
  } = {},
) {
  const toy = createToyRail();
  const { requirements, pay } = toyPayer(toy);
  const journal = createMemorySettlementJournal();
  const rail = options.rail?.(toy) ?? toy.facilitator;
  const facilitator = createFacilitator({
    schemes: [rail],
    journal,
    settleLeaseMs: options.leaseMs ?? 60_000,
  });
  return { toy, journal, facilitator, requirements, pay, rail };
}

describe('journaled settlement', () => {
  it('returns the first result to a retried settle and submits once', async () => {
    const f = await fixture();
    const payload = await f.pay();
    const first = await f.facilitator.settle(payload, f.requirements);
    const again = await f.facilitator.settle(structuredClone(payload), f.requirements);
    expect(first.success).toBe(true);
    expect(again).toEqual(first);
    expect(f.toy.chain.transfers).toHaveLength(1);
    expect((await f.journal.get(`exact:toy:local:${f.rail.paymentId?.(payload)}`))?.state).toBe(
      'settled',
    );
  });

  it('lets exactly one of concurrent settles submit; the others are told it is in progress', async () => {
    const f = await fixture();
    const payload = await f.pay();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        f.facilitator.settle(structuredClone(payload), f.requirements),
      ),
    );
    expect(results.filter((r) => r.success)).toHaveLength(1);
    expect(new Set(results.filter((r) => !r.success).map((r) => r.errorReason))).toEqual(
      new Set(['settlement_in_progress']),
    );
    expect(f.toy.chain.transfers).toHaveLength(1);
  });

  it('retries a failed settlement (nothing moved), and keys payloads without a rail payment id by digest', async () => {
    const f = await fixture({
      rail: (toy) => {
        const { paymentId: _dropped, ...rest } = toy.facilitator;
        return rest;
      },
    });
    const payload = await f.pay();
    const balance = f.toy.chain.balanceOf(
      (payload.payload as { transfer: { from: string } }).transfer.from,
    );
    f.toy.chain.mint((payload.payload as { transfer: { from: string } }).transfer.from, -balance);
    expect((await f.facilitator.settle(payload, f.requirements)).errorReason).toBe(
      'insufficient_funds',
    );
    f.toy.chain.mint((payload.payload as { transfer: { from: string } }).transfer.from, balance);
    expect((await f.facilitator.settle(payload, f.requirements)).success).toBe(true);
    expect(f.toy.chain.transfers).toHaveLength(1);
  });

  it('reconciles a settlement whose facilitator died after the rail moved the money', async () => {
    // The rail applies the transfer, then the facilitator "dies" before recording it.
    let die = true;
    const f = await fixture({
      leaseMs: 500, // long enough that a busy machine cannot let it lapse before the retry
      rail: (toy) => ({
        ...toy.facilitator,
        async settle(p, r, c) {
          const result = await toy.facilitator.settle(p, r, c);
          if (die) throw new Error('process killed');
          return result;
        },
      }),
    });
    const payload = await f.pay();
    const interrupted = await f.facilitator.settle(payload, f.requirements);
    expect(interrupted.success).toBe(false);
    die = false;
    // While the lease runs, a retry is told the settlement is in progress and submits nothing.
    expect((await f.facilitator.settle(payload, f.requirements)).errorReason).toBe(
      'settlement_in_progress',
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    const reconciled = await f.facilitator.settle(payload, f.requirements);
    expect(reconciled).toMatchObject({ success: true, transaction: f.toy.chain.transfers[0]?.id });
    expect(f.toy.chain.transfers).toHaveLength(1);
  });

  it('submits after a takeover when the rail never saw the payment, and reconcile() sweeps expired rows', async () => {
    let hang = true;
    const f = await fixture({
      leaseMs: 20,
      rail: (toy) => ({
        ...toy.facilitator,
        async settle(p, r, c) {
          if (hang) throw new Error('connection lost before sending');
          return toy.facilitator.settle(p, r, c);
        },
      }),
    });
    const payload = await f.pay();
    expect((await f.facilitator.settle(payload, f.requirements)).success).toBe(false);
    hang = false;
    await new Promise((resolve) => setTimeout(resolve, 40));
    const swept = await f.facilitator.reconcile();
    expect(swept).toHaveLength(1);
    expect(swept[0]?.result.success).toBe(true);
    expect(f.toy.chain.transfers).toHaveLength(1);
    expect(await f.facilitator.settle(payload, f.requirements)).toEqual(swept[0]?.result);
  });

  it('passes on the pending transaction a rail reports when its receipt wait times out', async () => {
    const f = await fixture({
      rail: (toy) => ({
        ...toy.facilitator,
        async settle() {
          throw new X402Error('settlement_pending', { details: { transaction: '0xabc' } });
        },
      }),
    });
    const result = await f.facilitator.settle(await f.pay(), f.requirements);
    expect(result).toMatchObject({
      success: false,
      errorReason: 'settlement_pending',
      transaction: '0xabc',
    });
  });

  it('keeps renewing the lease of a slow settlement, so nobody takes it over meanwhile', async () => {
    let finish: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const f = await fixture({
      leaseMs: 600, // renewed every 200 ms: a 400 ms margin for a busy machine
      rail: (toy) => ({
        ...toy.facilitator,
        async settle(p, r, c) {
          await gate;
          return toy.facilitator.settle(p, r, c);
        },
      }),
    });
    const payload = await f.pay();
    const slow = f.facilitator.settle(payload, f.requirements);
    await new Promise((resolve) => setTimeout(resolve, 1_900)); // three leases
    expect((await f.facilitator.settle(payload, f.requirements)).errorReason).toBe(
      'settlement_in_progress',
    );
    expect(await f.facilitator.reconcile()).toEqual([]);
    finish();
    expect((await slow).success).toBe(true);
    expect(f.toy.chain.transfers).toHaveLength(1);
  });

  it('parks an interrupted settlement on a rail that cannot report status', async () => {
    let die = true;
    const f = await fixture({
      leaseMs: 20,
      rail: (toy) => {
        const { status: _none, ...rest } = toy.facilitator;
        return {
          ...rest,
          async settle(p, r, c) {
            const result = await toy.facilitator.settle(p, r, c);
            if (die) throw new Error('process killed');
            return result;
          },
        };
      },
    });
    const payload = await f.pay();
    await f.facilitator.settle(payload, f.requirements);
    die = false;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await f.facilitator.settle(payload, f.requirements)).errorReason).toBe(
      'settlement_unknown',
    );
    expect((await f.facilitator.settle(payload, f.requirements)).errorReason).toBe(
      'settlement_in_progress',
    );
    expect(f.toy.chain.transfers).toHaveLength(1);
  });
});

/**
 * One contract for the credit records on every driver: billing identities validated and replaced
 * in place, the charge journal's once-only insert and finish, and (PGlite) both surviving a reopen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, driversUnderTest, open } from '../../test/harness.js';
import type { CreditCharge } from './types.js';

afterAll(cleanup);

const PAYER = '0xAbCdEf0123456789aBCdef0123456789ABCDEF01';
const account = {
  payer: PAYER,
  customer: 'cus_Test123',
  paymentMethod: 'pm_Card456',
  creditLimit: 5_000_000n,
  currency: 'usd' as const,
};
const charge = (id: string, overrides: Partial<CreditCharge> = {}): CreditCharge => ({
  id,
  payer: PAYER.toLowerCase() as `0x${string}`,
  customer: 'cus_Test123',
  paymentMethod: 'pm_Card456',
  currency: 'usd',
  amountCents: 123,
  covered: [{ channelId: `0x${'ab'.repeat(32)}`, claimedTo: 1_230_000n }],
  state: 'pending',
  attempt: 1,
  createdAt: 10,
  updatedAt: 10,
  ...overrides,
});

for (const d of driversUnderTest()) {
  describe.skipIf(d.skip)(`credit records on ${d.title}`, () => {
    it('registers, finds by any case and replaces a billing identity', async () => {
      const store = await d.fresh();
      expect(await store.creditAccounts.get(PAYER)).toBeUndefined();
      const first = await store.creditAccounts.register(account, 1);
      expect(first).toMatchObject({ payer: PAYER.toLowerCase(), creditLimit: 5_000_000n });
      await store.creditAccounts.register(
        { ...account, paymentMethod: 'pm_Fixed', creditLimit: 7n },
        2,
      );
      const found = await store.creditAccounts.get(PAYER.toUpperCase().replace('0X', '0x'));
      expect(found).toEqual({
        ...account,
        payer: PAYER.toLowerCase(),
        paymentMethod: 'pm_Fixed',
        creditLimit: 7n,
        createdAt: 1,
        updatedAt: 2,
      });
    });

    it('refuses a bad identity and stores nothing', async () => {
      const store = await d.fresh();
      for (const bad of [
        { ...account, payer: '0x12' },
        { ...account, customer: 'acct_1' },
        { ...account, paymentMethod: 'card_1' },
        { ...account, creditLimit: -1n },
        { ...account, currency: 'eur' },
      ]) {
        await expect(store.creditAccounts.register(bad as typeof account, 1)).rejects.toThrow();
      }
      expect(await store.creditAccounts.get(PAYER)).toBeUndefined();
    });

    it('inserts a charge once and finishes it once', async () => {
      const store = await d.fresh();
      const j = store.creditCharges;
      await j.insert(charge('c1'));
      await j.insert(charge('c1', { amountCents: 999 }));
      expect(await j.get('c1')).toEqual(charge('c1'));
      expect((await j.pending()).map((c) => c.id)).toEqual(['c1']);
      const done = await j.finish('c1', { state: 'succeeded', paymentIntent: 'pi_1', now: 20 });
      expect(done).toMatchObject({ state: 'succeeded', paymentIntent: 'pi_1', updatedAt: 20 });
      const again = await j.finish('c1', { state: 'declined', declineCode: 'x', now: 30 });
      expect(again).toMatchObject({ state: 'succeeded', updatedAt: 20 });
      expect(again?.declineCode).toBeUndefined();
      expect(await j.pending()).toEqual([]);
      expect(await j.finish('nope', { state: 'failed', now: 1 })).toBeUndefined();
    });

    it('lists a payer’s charges in the order they were written', async () => {
      const store = await d.fresh();
      const j = store.creditCharges;
      await j.insert(charge('zz', { createdAt: 5 }));
      await j.insert(charge('aa', { createdAt: 5, attempt: 2 }));
      await j.insert(charge('other', { payer: `0x${'11'.repeat(20)}` }));
      expect((await j.listFor(PAYER)).map((c) => c.id)).toEqual(['zz', 'aa']);
      expect((await j.latestFor(PAYER))?.attempt).toBe(2);
      expect(await j.latestFor(`0x${'22'.repeat(20)}`)).toBeUndefined();
    });
  });
}

describe('credit records on pglite, across a reopen', () => {
  it('keeps identities and charges', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'x402-credit-'));
    try {
      const first = await open({ driver: 'pglite', dataDir });
      await first.creditAccounts.register(account, 1);
      await first.creditCharges.insert(charge('c1'));
      await first.close();
      const second = await open({ driver: 'pglite', dataDir });
      expect((await second.creditAccounts.get(PAYER))?.customer).toBe('cus_Test123');
      expect((await second.creditCharges.pending()).map((c) => c.id)).toEqual(['c1']);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

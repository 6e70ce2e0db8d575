/**
 * The settlement journal's behaviour, the same suite on every driver: begin / complete / renew /
 * get / expired as core's in-memory journal behaves, including lease takeover (with a driven
 * clock, and once with a real short lease on the default clock), failed → re-begin, settled final.
 */
import { LedgerTransitionError } from '@x402-rails/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import {
  cleanup,
  driversUnderTest,
  entryFor,
  failedSettlement,
  rejectionOf,
  settled,
  type TestClock,
  testClock,
  uniqueId,
} from './harness.js';

const LEASE = 60_000;

afterAll(cleanup);

for (const target of driversUnderTest()) {
  describe.skipIf(target.skip)(`settlements on ${target.title}`, () => {
    let store: Store;
    let clock: TestClock;
    beforeAll(async () => {
      clock = testClock();
      store = await target.fresh({ now: clock.now });
    });

    it('begins a new settlement: a pending row with a lease', async () => {
      const key = uniqueId('key');
      const begun = await store.settlements.begin(entryFor(key), LEASE);
      expect(begun).toEqual({
        started: true,
        takeover: false,
        record: {
          ...entryFor(key),
          state: 'pending',
          attempts: 1,
          leaseUntil: begun.record.createdAt + LEASE,
          createdAt: begun.record.createdAt,
          updatedAt: begun.record.createdAt,
        },
      });
      expect(await store.settlements.get(key)).toEqual(begun.record);
    });

    it('does not begin twice while the lease lives, and leaves the row untouched', async () => {
      const key = uniqueId('key');
      const first = await store.settlements.begin(entryFor(key), LEASE);
      const second = await store.settlements.begin(
        { ...entryFor(key), network: 'eip155:1' },
        LEASE,
      );
      expect(second).toEqual({ started: false, record: first.record });
      expect(await store.settlements.get(key)).toEqual(first.record);
    });

    it('completes pending → settled; settled is final', async () => {
      const key = uniqueId('key');
      const begun = await store.settlements.begin(entryFor(key), LEASE);
      const done = await store.settlements.complete(key, settled('0xfeed'));
      expect(done).toEqual({
        ...begun.record,
        state: 'settled',
        result: settled('0xfeed'),
        updatedAt: done.updatedAt,
      });
      expect(done.updatedAt).toBeGreaterThan(begun.record.updatedAt);
      expect(await store.settlements.get(key)).toEqual(done);
      // A retried settle finds the first result instead of starting again, even after the lease.
      clock.advance(LEASE * 2);
      expect(await store.settlements.begin(entryFor(key), LEASE)).toEqual({
        started: false,
        record: done,
      });
      const error = await rejectionOf(store.settlements.complete(key, settled('0xother')));
      expect(error).toBeInstanceOf(LedgerTransitionError);
      expect((error as LedgerTransitionError).message).toContain(
        'is settled (attempt 1), expected pending',
      );
      expect((error as LedgerTransitionError).details).toEqual({
        key,
        actual: 'settled',
        attempt: 1,
      });
      expect(await store.settlements.get(key)).toEqual(done);
    });

    it('completes pending → failed, and a failed settlement is begun again', async () => {
      const key = uniqueId('key');
      const begun = await store.settlements.begin(entryFor(key), LEASE);
      const failed = await store.settlements.complete(key, failedSettlement());
      expect(failed).toMatchObject({ state: 'failed', result: failedSettlement(), attempts: 1 });
      const again = await store.settlements.begin(
        { ...entryFor(key), payload: { ...entryFor(key).payload, payload: { other: true } } },
        LEASE,
      );
      expect(again.started).toBe(true);
      if (!again.started) return;
      expect(again.takeover).toBe(false);
      // As in memory: the first payload and createdAt stay; the stale failed result is cleared.
      expect(again.record).toEqual({
        ...begun.record,
        state: 'pending',
        attempts: 2,
        leaseUntil: again.record.updatedAt + LEASE,
        updatedAt: again.record.updatedAt,
      });
      const done = await store.settlements.complete(key, settled());
      expect(done).toMatchObject({ state: 'settled', attempts: 2, result: settled() });
    });

    it('fences the owner of an attempt that was taken over: its renew and complete change nothing', async () => {
      const key = uniqueId('key');
      const first = await store.settlements.begin(entryFor(key), LEASE);
      clock.advance(LEASE * 2);
      const takeover = await store.settlements.begin(entryFor(key), LEASE);
      expect(takeover).toMatchObject({ started: true, takeover: true, record: { attempts: 2 } });
      const before = await store.settlements.get(key);
      await store.settlements.renew(key, LEASE * 10, first.record.attempts);
      expect(await store.settlements.get(key)).toEqual(before);
      const refused = await rejectionOf(
        store.settlements.complete(key, settled('0xold'), first.record.attempts),
      );
      expect(refused).toBeInstanceOf(LedgerTransitionError);
      expect(await store.settlements.get(key)).toEqual(before);
      const done = await store.settlements.complete(
        key,
        settled('0xnew'),
        takeover.record.attempts,
      );
      expect(done).toMatchObject({ state: 'settled', attempts: 2, result: settled('0xnew') });
    });

    it('takes over a pending settlement whose lease ran out', async () => {
      const key = uniqueId('key');
      const first = await store.settlements.begin(entryFor(key), 100);
      clock.advance(50);
      expect((await store.settlements.begin(entryFor(key), 100)).started).toBe(false);
      clock.advance(100);
      const taken = await store.settlements.begin(entryFor(key), LEASE);
      expect(taken).toEqual({
        started: true,
        takeover: true,
        record: {
          ...first.record,
          attempts: 2,
          leaseUntil: taken.record.updatedAt + LEASE,
          updatedAt: taken.record.updatedAt,
        },
      });
      // The new owner holds the lease now.
      expect((await store.settlements.begin(entryFor(key), LEASE)).started).toBe(false);
    });

    it('renews the lease of a pending row only, without touching updatedAt', async () => {
      const key = uniqueId('key');
      const begun = await store.settlements.begin(entryFor(key), 100);
      clock.advance(80);
      await store.settlements.renew(key, 100);
      const renewed = await store.settlements.get(key);
      expect(renewed?.leaseUntil).toBeGreaterThan(begun.record.leaseUntil + 50);
      expect(renewed?.updatedAt).toBe(begun.record.updatedAt);
      clock.advance(60);
      expect((await store.settlements.begin(entryFor(key), 100)).started).toBe(false);
      const done = await store.settlements.complete(key, settled());
      await store.settlements.renew(key, 1_000_000);
      expect(await store.settlements.get(key)).toEqual(done);
      await store.settlements.renew(uniqueId('unknown'), 100);
    });

    it('knows nothing of an unknown key', async () => {
      const key = uniqueId('unknown');
      expect(await store.settlements.get(key)).toBeUndefined();
      const error = await rejectionOf(store.settlements.complete(key, settled()));
      expect(error).toBeInstanceOf(LedgerTransitionError);
      expect((error as LedgerTransitionError).message).toContain('unknown');
      expect((error as LedgerTransitionError).details).toEqual({
        key,
        actual: null,
        attempt: null,
      });
      expect(await store.settlements.get(key)).toBeUndefined();
    });

    it('returns copies', async () => {
      const key = uniqueId('key');
      const begun = await store.settlements.begin(entryFor(key), LEASE);
      begun.record.state = 'settled';
      begun.record.payload.payload['signature'] = 'mallory';
      const got = await store.settlements.get(key);
      expect(got).toMatchObject({ state: 'pending', payload: entryFor(key).payload });
      if (got) got.requirements.amount = '1';
      expect((await store.settlements.get(key))?.requirements.amount).toBe('10000');
      const entry = entryFor(uniqueId('key'));
      await store.settlements.begin(entry, LEASE);
      entry.requirements.payTo = 'mallory';
      expect((await store.settlements.get(entry.key))?.requirements.payTo).not.toBe('mallory');
    });
  });

  describe.skipIf(target.skip)(`settlements on ${target.title}: expired`, () => {
    it('lists pending rows whose lease ended, oldest first, up to the limit', async () => {
      const clock = testClock();
      const store = await target.fresh({ now: clock.now });
      expect(await store.settlements.expired(10)).toEqual([]);
      const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((k) => entryFor(`${k}-key`)) as [
        ReturnType<typeof entryFor>,
        ReturnType<typeof entryFor>,
        ReturnType<typeof entryFor>,
        ReturnType<typeof entryFor>,
        ReturnType<typeof entryFor>,
      ];
      await store.settlements.begin(c, 100);
      await store.settlements.begin(a, 100);
      await store.settlements.begin(b, 100);
      await store.settlements.begin(d, 100);
      await store.settlements.begin(e, 1_000_000); // lease still alive
      await store.settlements.complete(d.key, settled()); // final, not pending
      expect(await store.settlements.expired(10)).toEqual([]);
      clock.advance(1000);
      const expired = await store.settlements.expired(10);
      expect(expired.map((r) => r.key)).toEqual([c.key, a.key, b.key]);
      expect(expired[0]).toEqual(await store.settlements.get(c.key));
      expect((await store.settlements.expired(2)).map((r) => r.key)).toEqual([c.key, a.key]);
      expect(await store.settlements.expired(0)).toEqual([]);
      // Taken over: no longer expired.
      await store.settlements.begin(c, 1_000_000);
      expect((await store.settlements.expired(10)).map((r) => r.key)).toEqual([a.key, b.key]);
    });
  });

  describe.skipIf(target.skip)(`${target.title} on its default clock`, () => {
    it('stamps records with the current time and takes over a real short lease', async () => {
      const store = await target.fresh();
      const before = Date.now();
      const key = uniqueId('key');
      const first = await store.settlements.begin(entryFor(key), 1_000);
      expect(first.record.createdAt).toBeGreaterThanOrEqual(before);
      expect(first.record.createdAt).toBeLessThanOrEqual(Date.now());
      expect(first.record.leaseUntil).toBe(first.record.createdAt + 1_000);
      expect((await store.settlements.begin(entryFor(key), 1_000)).started).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await store.settlements.expired(10)).map((r) => r.key)).toEqual([key]);
      const taken = await store.settlements.begin(entryFor(key), 60_000);
      expect(taken).toMatchObject({ started: true, takeover: true, record: { attempts: 2 } });
      const payment = await store.payments.claim({
        paymentId: uniqueId('pay'),
        scheme: 'exact',
        network: 'eip155:84532',
        asset: 'USDC',
        amount: '1',
        payTo: '0xmerchant',
        resource: 'https://api.example.com/',
      });
      expect(payment.record.createdAt).toBeGreaterThanOrEqual(before);
      expect(payment.record.createdAt).toBeLessThanOrEqual(Date.now());
    });
  });
}

/**
 * Races decided by the database: many concurrent claims of one payment id, or begins of one
 * settlement key, give exactly one winner, on every driver; on Postgres also across several
 * Store instances (separate pools) on one database, as several server processes would be.
 */
import { LedgerTransitionError } from '@x402-rails/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openStore, type Store } from '../src/index.js';
import {
  adminQuery,
  claimFor,
  cleanup,
  driversUnderTest,
  entryFor,
  failedSettlement,
  freshDatabaseUrl,
  NO_POSTGRES,
  open,
  testClock,
  uniqueId,
} from './harness.js';

afterAll(cleanup);

const times = <T>(n: number, run: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => run(i)));

/** Asserts exactly one begin started, and returns it. */
function oneStarted(results: Awaited<ReturnType<Store['settlements']['begin']>>[]) {
  const started = results.filter((r) => r.started);
  expect(started).toHaveLength(1);
  expect(results.filter((r) => !r.started)).toHaveLength(results.length - 1);
  return started[0] as Extract<(typeof results)[number], { started: true }>;
}

for (const target of driversUnderTest()) {
  describe.skipIf(target.skip)(`concurrency on ${target.title}`, () => {
    const clock = testClock();
    let store: Store;
    beforeAll(async () => {
      store = await target.fresh({ now: clock.now });
    });

    it('gives exactly one of 100 concurrent claims of one id', async () => {
      const id = uniqueId('pay');
      const results = await times(100, () => store.payments.claim(claimFor(id)));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      expect(results.filter((r) => !r.claimed)).toHaveLength(99);
      expect((await store.payments.get(id))?.attempts).toBe(1);
    });

    it('gives exactly one of 100 concurrent re-claims of a released id', async () => {
      const id = uniqueId('pay');
      await store.payments.claim(claimFor(id));
      await store.payments.transition(id, 'claimed', 'released');
      const results = await times(100, () => store.payments.claim(claimFor(id)));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      expect((await store.payments.get(id))?.attempts).toBe(2);
    });

    it('keeps one winner per round while claims race releases', async () => {
      const id = uniqueId('pay');
      for (let round = 1; round <= 10; round++) {
        const results = await times(10, () => store.payments.claim(claimFor(id)));
        expect(results.filter((r) => r.claimed)).toHaveLength(1);
        await store.payments.transition(id, 'claimed', 'released');
      }
      expect((await store.payments.get(id))?.attempts).toBe(10);
    });

    it('lets exactly one of concurrent transitions with the same from win', async () => {
      const id = uniqueId('pay');
      await store.payments.claim(claimFor(id));
      await store.payments.transition(id, 'claimed', 'verified');
      const outcomes = await Promise.allSettled(
        // Distinct patches: an identical repeat would be an idempotent success, not a race.
        (['settled', 'failed', 'released', 'settled', 'failed'] as const).map((to, i) =>
          store.payments.transition(id, 'verified', to, { reason: `attempt-${i}` }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const o of outcomes)
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(LedgerTransitionError);
      expect((await store.payments.get(id))?.state).toBe(
        (won[0] as PromiseFulfilledResult<{ state: string }>).value.state,
      );
    });

    it('starts exactly one of 50 concurrent begins of one settlement key', async () => {
      const key = uniqueId('key');
      oneStarted(await times(50, () => store.settlements.begin(entryFor(key), 60_000)));
      expect((await store.settlements.get(key))?.attempts).toBe(1);
    });

    it('restarts a failed settlement exactly once under 50 concurrent begins', async () => {
      const key = uniqueId('key');
      await store.settlements.begin(entryFor(key), 60_000);
      await store.settlements.complete(key, failedSettlement());
      const winner = oneStarted(
        await times(50, () => store.settlements.begin(entryFor(key), 60_000)),
      );
      expect(winner.takeover).toBe(false);
      expect((await store.settlements.get(key))?.attempts).toBe(2);
    });

    it('lets exactly one of 50 concurrent begins take over an expired lease', async () => {
      const key = uniqueId('key');
      await store.settlements.begin(entryFor(key), 100);
      clock.advance(1_000);
      const winner = oneStarted(
        await times(50, () => store.settlements.begin(entryFor(key), 60_000)),
      );
      expect(winner.takeover).toBe(true);
      expect((await store.settlements.get(key))?.attempts).toBe(2);
    });
  });
}

const postgres = driversUnderTest().find((d) => d.driver === 'postgres');
describe.skipIf(postgres?.skip !== false)(
  postgres?.skip === false
    ? 'postgres: several Store instances on one database'
    : `postgres: several Store instances on one database (${NO_POSTGRES})`,
  () => {
    const INSTANCES = 4;
    let url: string;
    let stores: Store[];
    beforeAll(async () => {
      url = await freshDatabaseUrl();
      // Opened all at once: the migration must not race with itself.
      stores = await Promise.all(
        Array.from({ length: INSTANCES }, () => open({ driver: 'postgres', url, poolSize: 8 })),
      );
    });

    it('migrates once when the instances open concurrently', async () => {
      const rows = await adminQuery<{ version: number }>(
        url,
        'SELECT version FROM x402_schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('lets 8 instances open a fresh database at once, three times over', async () => {
      for (let round = 0; round < 3; round++) {
        const fresh = await freshDatabaseUrl();
        const opened = await Promise.allSettled(
          Array.from({ length: 8 }, () =>
            openStore({ driver: 'postgres', url: fresh, poolSize: 1 }),
          ),
        );
        for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
        expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
        const rows = await adminQuery(fresh, 'SELECT version FROM x402_schema_migrations');
        expect(rows).toHaveLength(MIGRATIONS.length);
      }
    });

    it('gives exactly one of 100 claims spread over the instances', async () => {
      const id = uniqueId('pay');
      const results = await times(100, (i) =>
        (stores[i % INSTANCES] as Store).payments.claim(claimFor(id)),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      for (const store of stores) expect((await store.payments.get(id))?.attempts).toBe(1);
    });

    it('starts exactly one of 50 begins spread over the instances', async () => {
      const key = uniqueId('key');
      oneStarted(
        await times(50, (i) =>
          (stores[i % INSTANCES] as Store).settlements.begin(entryFor(key), 60_000),
        ),
      );
    });

    it('hands an expired lease to exactly one instance (database clock)', async () => {
      const key = uniqueId('key');
      await (stores[0] as Store).settlements.begin(entryFor(key), 30);
      await new Promise((resolve) => setTimeout(resolve, 80));
      const winner = oneStarted(
        await times(50, (i) =>
          (stores[i % INSTANCES] as Store).settlements.begin(entryFor(key), 60_000),
        ),
      );
      expect(winner.takeover).toBe(true);
    });

    it('sees one instance’s writes from every other', async () => {
      const id = uniqueId('pay');
      await (stores[1] as Store).payments.claim(claimFor(id));
      await (stores[2] as Store).payments.transition(id, 'claimed', 'verified');
      await (stores[3] as Store).payments.transition(id, 'verified', 'settled', {
        transaction: '0x1',
      });
      expect(await (stores[0] as Store).payments.get(id)).toMatchObject({
        state: 'settled',
        transaction: '0x1',
      });
    });

    it('opens a fifth instance on the migrated database without migrating again', async () => {
      const late = await openStore({ driver: 'postgres', url });
      await late.close();
      const rows = await adminQuery(url, 'SELECT version FROM x402_schema_migrations');
      expect(rows).toHaveLength(MIGRATIONS.length);
    });
  },
);

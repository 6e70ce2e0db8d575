/**
 * The deferred rail's channel ledger on every driver: the contract suite on memory, PGlite and
 * Postgres (a fresh database per case), and what only a database shows: two processes racing on
 * one channel, a reservation surviving a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDeferredLedgerContract } from '../src/deferred-ledger-contract.js';
import {
  type DeferredChannelIdentity,
  type DeferredLedger,
  openStore,
  type Store,
} from '../src/index.js';
import { cleanup, driversUnderTest, freshDatabaseUrl, NO_POSTGRES, open } from './harness.js';

afterAll(cleanup);

const ledgerOf = (store: Store): DeferredLedger => store.deferredLedger;

const stores = new WeakMap<DeferredLedger, Store>();
const dispose = async (ledger: DeferredLedger) => stores.get(ledger)?.close();

for (const target of driversUnderTest()) {
  if (target.skip) {
    describe.skip(`deferred ledger contract: ${target.title}`, () => {
      it('needs Postgres', () => {});
    });
    continue;
  }
  runDeferredLedgerContract(
    target.driver,
    async () => {
      const store = await target.fresh();
      const ledger = ledgerOf(store);
      stores.set(ledger, store);
      return ledger;
    },
    { dispose },
  );
}

const T0 = 1_700_000_000_000;
const channel: DeferredChannelIdentity = {
  channelId: `0x${'c0'.repeat(32)}`,
  network: 'eip155:8453',
  escrow: '0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payer: '0x1111111111111111111111111111111111111111',
  receiver: '0x2222222222222222222222222222222222222222',
  config: {
    payer: '0x1111111111111111111111111111111111111111',
    payerAuthorizer: '0x1111111111111111111111111111111111111111',
    receiver: '0x2222222222222222222222222222222222222222',
    receiverAuthorizer: '0x2222222222222222222222222222222222222222',
    token: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    withdrawDelay: 900,
    salt: `0x${'00'.repeat(32)}`,
  },
};
const reserveInput = (pendingId: string, expectedCharged: bigint, to: bigint, now = T0) => ({
  channel,
  expectedCharged,
  voucher: { maxClaimableAmount: to, signature: `0x${'ab'.repeat(65)}` as const },
  pendingId,
  expiresAt: now + 60_000,
  now,
});

describe('the deferred ledger on SQL', () => {
  it('is on every driver: in process on memory, in the database on SQL', async () => {
    const memory = await open({ driver: 'memory' });
    const first = await memory.deferredLedger.reserve(reserveInput('mem', 0n, 100n));
    expect(first.reserved).toBe(true);
    expect((await memory.deferredLedger.get(channel.channelId))?.pending?.id).toBe('mem');
    const embedded = await open({ driver: 'pglite' });
    expect(await embedded.deferredLedger.get(channel.channelId)).toBeUndefined();
  });

  it('refuses a negative amount and changes nothing', async () => {
    const ledger = ledgerOf(await open({ driver: 'pglite' }));
    await expect(ledger.reserve(reserveInput('neg', 0n, -1n))).rejects.toThrow(RangeError);
    expect(await ledger.get(channel.channelId)).toBeUndefined();
  });

  it('keeps a reservation across a restart, and the commit after it charges once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'x402-deferred-'));
    try {
      const first = await openStore({ driver: 'pglite', dataDir });
      expect((await ledgerOf(first).reserve(reserveInput('before-crash', 0n, 700n))).reserved).toBe(
        true,
      );
      await first.close();
      const second = await openStore({ driver: 'pglite', dataDir });
      const ledger = ledgerOf(second);
      expect((await ledger.get(channel.channelId))?.pending).toMatchObject({
        id: 'before-crash',
        maxClaimableAmount: 700n,
      });
      expect((await ledger.commit('before-crash', T0 + 1)).committed).toBe(true);
      expect((await ledger.commit('before-crash', T0 + 2)).channel?.charged).toBe(700n);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  const postgres = driversUnderTest().find((d) => d.driver === 'postgres');
  it.skipIf(postgres?.skip ?? true)(
    `lets one of two processes' racing reservations win (postgres${postgres?.skip ? `, ${NO_POSTGRES}` : ''})`,
    async () => {
      const url = await freshDatabaseUrl();
      const [a, b] = await Promise.all([
        open({ driver: 'postgres', url, poolSize: 4 }),
        open({ driver: 'postgres', url, poolSize: 4 }),
      ]);
      const ledgers = [ledgerOf(a as Store), ledgerOf(b as Store)];
      // A new channel: every racer expects 0 and tries to create it.
      const first = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (ledgers[i % 2] as DeferredLedger).reserve(reserveInput(`new-${i}`, 0n, 100n)),
        ),
      );
      const winner = first.find((r) => r.reserved);
      expect(first.filter((r) => r.reserved)).toHaveLength(1);
      expect(
        first.filter((r) => !r.reserved).every((r) => !r.reserved && r.reason === 'busy'),
      ).toBe(true);
      const pendingId = winner?.channel?.pending?.id as string;
      // Both processes commit it: one moves it, the other sees the same commitment (idempotent).
      const commits = await Promise.all(ledgers.map((l) => l.commit(pendingId, T0 + 1)));
      expect(commits.map((c) => c.committed)).toEqual([true, true]);
      expect(commits.map((c) => c.channel?.charged)).toEqual([100n, 100n]);
      // The next charge races with a stale one: only `charged + price` from 100 can win.
      const second = await Promise.all([
        ledgers[0]?.reserve(reserveInput('stale', 0n, 100n, T0 + 2)),
        ledgers[1]?.reserve(reserveInput('fresh', 100n, 250n, T0 + 2)),
      ]);
      expect(second.map((r) => r?.reserved)).toEqual([false, true]);
      expect(second[0]).toMatchObject({ reason: 'charged_mismatch' });
    },
  );
});

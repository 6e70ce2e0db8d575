/**
 * A crash between accepting a voucher (reserved as pending before the handler runs) and storing it
 * as charged (the commit after the handler): on a PGlite ledger on disk, the restarted facilitator
 * finds the signed voucher still there, holding the channel against any other voucher, and the
 * client's retry of the same voucher is charged exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@x402-rails/store';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, expect, it } from 'vitest';
import { createDeferredFacilitator } from '../src/facilitator.js';
import {
  channelConfigOf,
  channelIdOf,
  fundedNetwork,
  PRICE,
  requirements,
  voucherPaymentOf,
} from './voucher-fixture.js';

const TTL_MS = 60_000;

const open: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function facilitatorOn(dataDir: string, now: () => number) {
  const store = await openStore({ driver: 'pglite', dataDir });
  open.push(store);
  const facilitator = createDeferredFacilitator({
    ledger: store.deferredLedger,
    networks: [fundedNetwork],
    pendingTtlMs: TTL_MS,
    now,
  });
  return { store, facilitator };
}

it('a crash between accept and store loses nothing and charges the voucher once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'x402-deferred-crash-'));
  dirs.push(dataDir);
  const now = () => Date.UTC(2026, 0, 1);
  const payer = privateKeyToAccount(generatePrivateKey());
  const config = channelConfigOf(payer, 7);
  const voucher = await voucherPaymentOf(payer, config, 0n);
  const channelId = channelIdOf(voucher);

  // Accepted (reserved before the handler runs), then the process dies: no settle, no release.
  const before = await facilitatorOn(dataDir, now);
  expect((await before.facilitator.verify(voucher, requirements)).isValid).toBe(true);
  await before.store.close();
  open.splice(open.indexOf(before.store), 1);

  // Restarted: the signed voucher is still there (the evidence), nothing is charged yet.
  const after = await facilitatorOn(dataDir, now);
  const kept = await after.store.deferredLedger.get(channelId);
  expect(kept?.charged).toBe(0n);
  expect(kept?.pending?.maxClaimableAmount).toBe(PRICE);
  // It still holds the channel: another voucher cannot take it meanwhile…
  const other = await voucherPaymentOf(payer, config, PRICE);
  expect((await after.facilitator.verify(other, requirements)).isValid).toBe(false);
  // …and the client's retry of the same voucher takes its reservation back and is charged once.
  expect((await after.facilitator.verify(voucher, requirements)).isValid).toBe(true);
  expect((await after.facilitator.settle(voucher, requirements)).success).toBe(true);
  expect((await after.facilitator.settle(voucher, requirements)).success).toBe(false);
  const charged = await after.store.deferredLedger.get(channelId);
  expect(charged?.charged).toBe(PRICE);
  expect(charged?.pending).toBeUndefined();
});

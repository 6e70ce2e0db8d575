/**
 * A crash between accepting a voucher (reserved as pending before the handler runs) and storing it
 * as charged (the commit after the handler): on a PGlite ledger on disk, the restarted facilitator
 * finds the signed voucher still there, holding the channel against any other voucher, and the
 * client's retry of the same voucher is charged exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { openStore, type Store } from '@x402-rails/store';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, expect, it } from 'vitest';
import { OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from '../src/constants.js';
import type { EscrowDomain } from '../src/eip712.js';
import { createDeferredFacilitator, type DeferredFacilitatorNetwork } from '../src/facilitator.js';
import type { ChannelConfig } from '../src/payload.js';
import { createVoucherPayload } from '../src/voucher-payload.js';

const NETWORK = 'eip155:8453' as const;
const DOMAIN: EscrowDomain = { chainId: 8453, escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS };
const MERCHANT = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C' as const;
const USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' as const;
const PRICE = 1000n;
const TTL_MS = 60_000;

const requirements: PaymentRequirements = {
  scheme: 'batch-settlement',
  network: NETWORK,
  amount: PRICE.toString(),
  asset: USDC,
  payTo: MERCHANT,
  maxTimeoutSeconds: 60,
  extra: { receiverAuthorizer: MERCHANT, withdrawDelay: 86_400, name: 'USD Coin', version: '2' },
};

/** The escrow as the chain would answer: the channel holds 1 USDC, nothing claimed. */
const escrow = {
  getCode: async () => undefined,
  readContract: async ({ functionName }: { functionName: string }) =>
    functionName === 'channels' ? [1_000_000n, 0n] : [0n, 0n],
} as unknown as NonNullable<DeferredFacilitatorNetwork['client']>;

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
    networks: [{ network: NETWORK, escrow: DOMAIN.escrow, client: escrow }],
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
  const config: ChannelConfig = {
    payer: payer.address,
    payerAuthorizer: payer.address,
    receiver: MERCHANT,
    receiverAuthorizer: MERCHANT,
    token: USDC,
    withdrawDelay: 86_400,
    salt: `0x${'00'.repeat(31)}07`,
  };
  const voucher: PaymentPayload = {
    x402Version: 2,
    accepted: requirements,
    payload: {
      ...(await createVoucherPayload(payer, { config, charged: 0n, price: PRICE, domain: DOMAIN })),
    },
  };
  const channelId = (voucher.payload as { voucher: { channelId: `0x${string}` } }).voucher
    .channelId;

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
  const other: PaymentPayload = {
    ...voucher,
    payload: {
      ...(await createVoucherPayload(payer, {
        config,
        charged: PRICE,
        price: PRICE,
        domain: DOMAIN,
      })),
    },
  };
  expect((await after.facilitator.verify(other, requirements)).isValid).toBe(false);
  // …and the client's retry of the same voucher takes its reservation back and is charged once.
  expect((await after.facilitator.verify(voucher, requirements)).isValid).toBe(true);
  expect((await after.facilitator.settle(voucher, requirements)).success).toBe(true);
  expect((await after.facilitator.settle(voucher, requirements)).success).toBe(false);
  const charged = await after.store.deferredLedger.get(channelId);
  expect(charged?.charged).toBe(PRICE);
  expect(charged?.pending).toBeUndefined();
});

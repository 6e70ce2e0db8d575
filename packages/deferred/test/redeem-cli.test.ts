/** `x402-rails-redeem`: config errors exit 2 with a clear message; a run reports per channel. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRedeemCli } from '../src/redeem/cli.js';
import { captureIo, writeConfig } from './cli-harness.js';
import { newBuyer, openShop, PRICE, type Shop, URL } from './roles-rig.js';

let chain: EvmTestChain;
let shop: Shop;
let dir: string;
let escrow: `0x${string}`;
const KEY_ENV = 'X402_TEST_REDEEM_KEY';

beforeAll(async () => {
  chain = await startEvmTestChain();
  const escrows = await chain.deployDeferredEscrow();
  escrow = escrows.escrow;
  shop = await openShop(chain, escrows);
  dir = await mkdtemp(join(tmpdir(), 'x402-redeem-'));
  // The operator's ledger module: here, the test's own ledger through a global.
  (globalThis as Record<string, unknown>)['__x402RedeemTestLedger'] = shop.ledger;
  await writeFile(
    join(dir, 'ledger.mjs'),
    'export function createLedger() { return globalThis.__x402RedeemTestLedger; }\n',
  );
});

afterAll(async () => {
  await chain?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const io = captureIo;
const configFile = (config: unknown) => writeConfig(dir, config);

const goodConfig = () => ({
  network: chain.network,
  rpcUrl: chain.rpcUrl,
  escrow,
  privateKeyEnv: KEY_ENV,
  ledger: { module: './ledger.mjs' },
});

describe('x402-rails-redeem', () => {
  it('exits 2 on bad usage and bad config, naming the problem', async () => {
    const a = io();
    expect(await runRedeemCli([], a.io)).toBe(2);
    expect(a.err.join('\n')).toContain('usage: x402-rails-redeem --config');

    const b = io();
    expect(await runRedeemCli(['--config', await configFile('{not json')], b.io)).toBe(2);
    expect(b.err.join('\n')).toContain('is not JSON');

    const c = io();
    const bad = { ...goodConfig(), escrow: '0x1234', extraField: true };
    expect(await runRedeemCli(['--config', await configFile(bad)], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/escrow: an address is 0x and 40 hex digits/);
    expect(c.err.join('\n')).toContain('extraField');

    const d = io(); // the key's variable is not set
    expect(await runRedeemCli(['--config', await configFile(goodConfig())], d.io)).toBe(2);
    expect(d.err.join('\n')).toContain(KEY_ENV);

    const e = io({ [KEY_ENV]: shop.redeemer.address.padEnd(66, '0') });
    const noLedger = { ...goodConfig(), ledger: { module: './missing.mjs' } };
    expect(await runRedeemCli(['--config', await configFile(noLedger)], e.io)).toBe(2);
    expect(e.err.join('\n')).toContain('cannot load ledger module ./missing.mjs');
  });

  it('redeems once and reports what each channel collected', async () => {
    const buyer = await newBuyer(shop, 1_000_000n);
    for (let i = 0; i < 3; i++) expect((await buyer.client.fetch(URL)).status).toBe(200);
    const wallet = await chain.newWallet({ eth: 10n ** 19n });
    const run = io({ [KEY_ENV]: wallet.privateKey });
    const path = await configFile(goodConfig());
    expect(await runRedeemCli(['--config', path, '--once'], run.io)).toBe(0);
    const lines = run.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: 'collected',
        channelId: buyer.channelId,
        collected: (3n * PRICE).toString(),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ event: 'batch', state: 'confirmed' }));
    const again = io({ [KEY_ENV]: wallet.privateKey });
    expect(await runRedeemCli(['--config', path, '--once'], again.io)).toBe(0);
    expect(again.out.map((l) => JSON.parse(l))).toEqual([
      { event: 'skipped', reason: 'nothing_redeemable' },
    ]);
  });
});

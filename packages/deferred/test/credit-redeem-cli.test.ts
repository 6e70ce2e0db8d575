/** `x402-rails-redeem` in credit mode: config errors exit 2; a run prints one line per buyer. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRedeemCli } from '../src/redeem/cli.js';
import { captureIo, writeConfig } from './cli-harness.js';
import {
  type CreditShop,
  DAY,
  LEDGER_ADDRESS,
  NETWORK,
  newCreditBuyer,
  openCreditShop,
  periodClock,
  URL,
} from './credit-rig.js';

let shop: CreditShop;
let dir: string;
const KEY_ENV = 'X402_TEST_STRIPE_KEY';

beforeAll(async () => {
  // Ten days ago: the CLI reads the real clock, by which the shop's periods have ended.
  shop = await openCreditShop({
    price: '$0.0125',
    clock: periodClock(Date.now() - 10 * DAY * 1000),
  });
  dir = await mkdtemp(join(tmpdir(), 'x402-credit-cli-'));
  // The operator's store module: here, the test's own store through a global.
  (globalThis as Record<string, unknown>)['__x402CreditTestStore'] = {
    ledger: shop.store.deferredLedger,
    accounts: shop.store.creditAccounts,
    charges: shop.store.creditCharges,
  };
  await writeFile(
    join(dir, 'store.mjs'),
    'export function createCreditStore() { return globalThis.__x402CreditTestStore; }\n',
  );
});

afterAll(async () => {
  await shop?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const io = captureIo;
const configFile = (config: unknown) => writeConfig(dir, config);

const goodConfig = () => ({
  mode: 'credit',
  network: NETWORK,
  ledgerAddress: LEDGER_ADDRESS,
  stripeSecretKeyEnv: KEY_ENV,
  stripe: shop.double.connection,
  store: { module: './store.mjs' },
});

describe('x402-rails-redeem --config (credit mode)', () => {
  it('exits 2 on a bad config, a missing key or a missing store, naming the problem', async () => {
    const bad = io({ [KEY_ENV]: shop.double.account.secretKey });
    const badPath = await configFile({ ...goodConfig(), network: 'eip155:1' });
    expect(await runRedeemCli(['--config', badPath, '--once'], bad.io)).toBe(2);
    expect(bad.err.join('\n')).toContain('network: a network is credit:<ledger-name>');

    const noKey = io();
    expect(
      await runRedeemCli(['--config', await configFile(goodConfig()), '--once'], noKey.io),
    ).toBe(2);
    expect(noKey.err.join('\n')).toContain(KEY_ENV);

    const noStore = io({ [KEY_ENV]: shop.double.account.secretKey });
    const missing = await configFile({ ...goodConfig(), store: { module: './missing.mjs' } });
    expect(await runRedeemCli(['--config', missing, '--once'], noStore.io)).toBe(2);
    expect(noStore.err.join('\n')).toContain('cannot load store module ./missing.mjs');
  });

  it('charges what is due and prints one line per buyer', async () => {
    const buyer = await newCreditBuyer(shop);
    for (let i = 0; i < 41; i++) expect((await buyer.client.fetch(URL)).status).toBe(200);
    const run = io({ [KEY_ENV]: shop.double.account.secretKey });
    expect(await runRedeemCli(['--config', await configFile(goodConfig()), '--once'], run.io)).toBe(
      0,
    );
    const lines = run.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'credit',
        payer: buyer.account.address.toLowerCase(),
        outcome: 'charged',
        amountCents: 51,
        owed: '512500',
        carried: '2500',
        paymentIntent: expect.stringMatching(/^pi_/),
      }),
    ]);
  });
});

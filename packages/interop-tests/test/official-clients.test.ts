/**
 * The official clients pay our servers: `@x402/fetch` and `@x402/axios` against our Express and
 * Hono adapters, on the EVM rail on Anvil, settled on chain by our facilitator.
 */
import { wrapAxiosWithPaymentFromConfig } from '@x402/axios';
import { x402Client } from '@x402/core/client';
import { x402HTTPClient } from '@x402/core/http';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment } from '@x402/fetch';
import axios from 'axios';
import type { Account } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_ATOMIC, type Rig, startRig } from './rig.js';

let r: Rig;
beforeAll(async () => {
  r = await startRig();
});
afterAll(async () => {
  await r?.close();
});

/** The official client; the local token is no default stablecoin, so it is allowed explicitly. */
function officialClient(account: Account) {
  return x402Client.fromConfig({
    spendControls: {
      allowedAssets: [{ network: r.network, asset: r.chain.token, maxAmountPerPayment: '50000' }],
    },
    schemes: [{ network: r.network, client: new ExactEvmScheme(account as never) }],
  });
}

const servers = [
  ['Express', () => r.expressUrl],
  ['Hono', () => r.honoUrl],
] as const;

describe.each(servers)('official clients pay our %s server', (_name, baseUrl) => {
  it('@x402/fetch pays, is served, and reads our PAYMENT-RESPONSE', async () => {
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const client = officialClient(payer.account);
    const pay = wrapFetchWithPayment(fetch, client);
    const merchantBefore = await r.chain.balanceOf(r.merchant);
    const settledBefore = r.settled();

    const response = await pay(`${baseUrl()}/weather`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    const settlement = new x402HTTPClient(client).getPaymentSettleResponse((name) =>
      response.headers.get(name),
    );
    expect(settlement).toMatchObject({ success: true, network: r.network, payer: payer.address });
    expect(settlement.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.settled()).toBe(settledBefore + 1);
    expect(await r.chain.balanceOf(r.merchant)).toBe(merchantBefore + PRICE_ATOMIC);
    expect(await r.chain.balanceOf(payer.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });

  it('@x402/axios pays and is served', async () => {
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    // @x402/axios 2.11 builds its own client from the config (its own @x402/core 2.11).
    const api = wrapAxiosWithPaymentFromConfig(axios.create({ baseURL: baseUrl() }), {
      schemes: [{ network: r.network, client: new ExactEvmScheme(payer.account as never) }],
    } as never);
    const merchantBefore = await r.chain.balanceOf(r.merchant);

    const response = await api.get('/weather');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ weather: 'sunny' });
    const header = response.headers['payment-response'];
    expect(typeof header).toBe('string');
    const settlement = JSON.parse(Buffer.from(String(header), 'base64').toString('utf8'));
    expect(settlement).toMatchObject({ success: true, network: r.network, payer: payer.address });
    expect(await r.chain.balanceOf(r.merchant)).toBe(merchantBefore + PRICE_ATOMIC);
    expect(await r.chain.balanceOf(payer.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });
});

/**
 * An x402 v1 round trip: the official SDK's v1 client (`@x402/core` `registerV1` with
 * `@x402/evm`'s `ExactEvmSchemeV1`) reads our 402 body, pays with `X-PAYMENT` naming the network
 * `base-sepolia`, and is answered by our Express and Hono servers in v1 (`X-PAYMENT-RESPONSE`).
 */
import { x402Client } from '@x402/core/client';
import { x402HTTPClient } from '@x402/core/http';
import { ExactEvmSchemeV1 } from '@x402/evm/exact/v1/client';
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

function officialV1Client(account: Account) {
  return new x402HTTPClient(
    x402Client.fromConfig({
      // The local token is no default stablecoin of the network.
      spendControls: false,
      schemes: [
        {
          x402Version: 1,
          network: 'base-sepolia' as never,
          client: new ExactEvmSchemeV1(account as never),
        },
      ],
    }),
  );
}

describe.each([
  ['Express', () => r.expressUrl],
  ['Hono', () => r.honoUrl],
] as const)('x402 v1 with our %s server', (_name, baseUrl) => {
  it('the official v1 client pays from our 402 body and is answered in v1', async () => {
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const official = officialV1Client(payer.account);
    const url = `${baseUrl()}/weather`;

    const unpaid = await fetch(url);
    expect(unpaid.status).toBe(402);
    // A v1 client reads only the body.
    const required = official.getPaymentRequiredResponse(() => null, await unpaid.json());
    expect(required).toMatchObject({
      x402Version: 1,
      accepts: [{ network: 'base-sepolia', maxAmountRequired: '10000', resource: url }],
    });
    const payload = await official.createPaymentPayload(required);
    expect(payload.x402Version).toBe(1);
    const headers = official.encodePaymentSignatureHeader(payload);
    expect(Object.keys(headers)).toEqual(['X-PAYMENT']);

    const merchantBefore = await r.chain.balanceOf(r.merchant);
    const paid = await fetch(url, { headers });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toEqual({ weather: 'sunny' });
    expect(paid.headers.has('payment-response')).toBe(false);
    const settlement = official.getPaymentSettleResponse((name) => paid.headers.get(name));
    expect(settlement).toMatchObject({
      success: true,
      network: 'base-sepolia',
      payer: payer.address,
    });
    expect(await r.chain.balanceOf(r.merchant)).toBe(merchantBefore + PRICE_ATOMIC);

    // The same X-PAYMENT again: refused in v1, nothing paid twice.
    const again = await fetch(url, { headers });
    expect(again.status).toBe(402);
    expect(again.headers.has('payment-required')).toBe(false);
    expect(await again.json()).toMatchObject({ x402Version: 1, error: 'payment_already_used' });
    expect(await r.chain.balanceOf(payer.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });
});

/**
 * Wire compatibility with the official implementation (@x402/evm + @x402/core) on the Anvil token:
 * its client pays our resource server (verified and settled by our facilitator), and its
 * facilitator verifies and settles payloads our client made.
 */

import { x402Client } from '@x402/core/client';
import { x402HTTPClient } from '@x402/core/http';
import type { PaymentPayload as OfficialPayload } from '@x402/core/types';
import { ExactEvmScheme as OfficialEvmClient } from '@x402/evm/exact/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, rig } from './helpers.js';
import { createOfficialFacilitator } from './official-facilitator.js';

let r: Rig;
beforeAll(async () => {
  r = await rig();
});
afterAll(() => r?.close());

describe('interop with the official @x402/evm', () => {
  it('its client pays our resource server; our facilitator verifies and settles on chain', async () => {
    const facilitator = createFacilitator({ schemes: [r.facilitator] });
    const server = createResourceServer({ facilitator, schemes: [r.server] });
    const route = {
      accepts: {
        scheme: 'exact',
        network: r.chain.network,
        price: '$0.01',
        payTo: r.merchant,
      },
    };
    const url = 'http://127.0.0.1/weather';
    const handler = () => Response.json({ weather: 'sunny' });
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const official = new x402HTTPClient(
      x402Client.fromConfig({
        // The local token is no default stablecoin: allow it, up to 0.05 USDC per payment.
        spendControls: {
          allowedAssets: [
            { network: r.chain.network, asset: r.chain.token, maxAmountPerPayment: '50000' },
          ],
        },
        schemes: [{ network: r.chain.network, client: new OfficialEvmClient(payer.account) }],
      }),
    );
    const unpaid = await server.handle(new Request(url), route, handler);
    expect(unpaid.status).toBe(402);
    const required = official.getPaymentRequiredResponse((name) => unpaid.headers.get(name));
    const payload = await official.createPaymentPayload(required);
    const before = await r.chain.balanceOf(r.merchant);
    const paid = await server.handle(
      new Request(url, { headers: official.encodePaymentSignatureHeader(payload) }),
      route,
      handler,
    );
    expect(paid.status).toBe(200);
    expect(await paid.json()).toEqual({ weather: 'sunny' });
    const settlement = official.getPaymentSettleResponse((name) => paid.headers.get(name));
    expect(settlement).toMatchObject({
      success: true,
      network: r.chain.network,
      payer: payer.address,
    });
    expect(await r.chain.balanceOf(r.merchant)).toBe(before + 10_000n);
    expect(await r.chain.balanceOf(payer.address)).toBe(990_000n);
  });

  it('its facilitator verifies and settles what our client signed', async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    await r.chain.setEth(account.address, 10n ** 20n);
    const officialFacilitator = createOfficialFacilitator(r.chain, account);
    const ours = await r.pay();
    // The official types make `extra` required (the specification makes it optional); ours has it.
    const payload = ours as OfficialPayload;
    const requirements = payload.accepted;
    const before = await r.chain.balanceOf(r.merchant);
    expect(await officialFacilitator.verify(payload, requirements)).toMatchObject({
      isValid: true,
      payer: r.payer.address,
    });
    const settled = await officialFacilitator.settle(payload, requirements);
    expect(settled).toMatchObject({ success: true, network: r.chain.network });
    expect(await r.chain.balanceOf(r.merchant)).toBe(before + 10_000n);
    // And our facilitator sees the authorization as used, and finds the official settlement.
    expect(await r.facilitator.status?.(ours, ours.accepted)).toMatchObject({
      state: 'settled',
      settlement: { transaction: settled.transaction },
    });
  });
});

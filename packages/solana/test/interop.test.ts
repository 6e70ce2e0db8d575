/**
 * Wire compatibility with the official implementation (@x402/svm + @x402/core) on a local chain
 * posing as devnet, with the mint at devnet's USDC address: its client pays our resource server
 * (verified and settled by our facilitator), and its facilitator verifies and settles payloads our
 * client made.
 */
import { x402Client } from '@x402/core/client';
import { x402HTTPClient } from '@x402/core/http';
import type { PaymentPayload as OfficialPayload } from '@x402/core/types';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import { DEVNET_GENESIS_HASH, DEVNET_USDC } from '@x402-rails/testkit/solana';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, rig } from './helpers.js';
import { createOfficialClient, createOfficialFacilitator } from './official.js';

let r: Rig;
beforeAll(async () => {
  r = await rig({ chain: { genesisHash: DEVNET_GENESIS_HASH, usdcAt: DEVNET_USDC } });
});
afterAll(() => r?.close());

describe('interop with the official @x402/svm', () => {
  it('runs on a local chain that poses as devnet', () => {
    expect(r.network.id).toBe('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
    expect(r.requirements.asset).toBe(DEVNET_USDC);
  });

  it('its client pays our resource server; our facilitator verifies and settles on chain', async () => {
    const facilitator = createFacilitator({ schemes: [r.facilitator] });
    const server = createResourceServer({ facilitator, schemes: [r.server] });
    const route = {
      accepts: {
        scheme: 'exact',
        network: r.network.id,
        price: '$0.01',
        payTo: r.merchant.address,
      },
    };
    const url = 'http://127.0.0.1/weather';
    const handler = () => Response.json({ weather: 'sunny' });
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const official = new x402HTTPClient(
      x402Client.fromConfig({
        schemes: [
          {
            network: r.network.id,
            client: await createOfficialClient(r.chain.rpcUrl, payer.secretKey),
          },
        ],
      }),
    );
    const unpaid = await server.handle(new Request(url), route, handler);
    expect(unpaid.status).toBe(402);
    const required = official.getPaymentRequiredResponse((name) => unpaid.headers.get(name));
    const payload = await official.createPaymentPayload(required);
    const before = await r.chain.tokenBalanceOf(r.merchant.address);
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
      network: r.network.id,
      payer: payer.address,
    });
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 10_000n);
    expect(await r.chain.tokenBalanceOf(payer.address)).toBe(990_000n);
  });

  it('its facilitator verifies and settles what our client signed', async () => {
    const officialFacilitator = await createOfficialFacilitator(
      r.chain.rpcUrl,
      r.feePayer.secretKey,
    );
    const ours = await r.pay();
    const payload = ours as OfficialPayload;
    const requirements = payload.accepted;
    const before = await r.chain.tokenBalanceOf(r.merchant.address);
    const verdict = await officialFacilitator.verify(payload, requirements);
    expect(verdict).toMatchObject({
      isValid: true,
      payer: r.payer.address,
    });
    const settled = await officialFacilitator.settle(payload, requirements);
    expect(settled).toMatchObject({ success: true, network: r.network.id });
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 10_000n);
    // Our facilitator finds the official settlement on chain, and refuses the payment again.
    expect(await r.facilitator.status?.(ours, ours.accepted)).toMatchObject({
      state: 'settled',
      settlement: { transaction: settled.transaction },
    });
    expect((await r.facilitator.settle(ours, ours.accepted)).success).toBe(false);
  });
});
